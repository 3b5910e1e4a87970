# Wrong: returns tornado.locale.get(code) for any cookie, but for a code without translations that is
# English, not None, so a cookie "fr" overrides the browser's German.
# Expect: return None unless the code is in LANGUAGES
class LanguageChoice(tornado.web.RequestHandler):
    def get_user_locale(self) -> tornado.locale.Locale | None:
        code = self.get_cookie("language")
        return tornado.locale.get(code) if code else None
