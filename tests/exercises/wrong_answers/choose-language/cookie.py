# Wrong: always returns None, so the language chosen on the page (the cookie) never counts.
# Expect: read the cookie with self.get_cookie("language")
class LanguageChoice(tornado.web.RequestHandler):
    def get_user_locale(self) -> tornado.locale.Locale | None:
        return None
