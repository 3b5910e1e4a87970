# Wrong: reads Accept-Language itself and takes the first language the app has, in the header's order,
# ignoring the q= weights: "en;q=0.5, pl;q=0.8" gives English.
# Expect: orders Accept-Language by its q= weights
class LanguageChoice(tornado.web.RequestHandler):
    def get_user_locale(self) -> tornado.locale.Locale | None:
        code = self.get_cookie("language")
        if code in LANGUAGES:
            return tornado.locale.get(code)
        for tag in self.request.headers.get("Accept-Language", "").split(","):
            code = tag.split(";")[0].strip().replace("-", "_")
            if code in LANGUAGES:
                return tornado.locale.get(code)
        return None
