# Wrong: parses Accept-Language with its weights by hand; float("zz") raises ValueError, a 500 for a
# browser that sends "de;q=zz".
# Expect: parsing it yourself breaks on a header like 'de;q=zz'
class LanguageChoice(tornado.web.RequestHandler):
    def get_user_locale(self) -> tornado.locale.Locale | None:
        code = self.get_cookie("language")
        if code in LANGUAGES:
            return tornado.locale.get(code)
        weighted = []
        for tag in self.request.headers.get("Accept-Language", "").split(","):
            tag, _, q = tag.strip().partition(";q=")
            weighted.append((float(q or 1), tag.replace("-", "_")))
        codes = [code for weight, code in sorted(weighted, reverse=True) if weight > 0 and code in LANGUAGES]
        return tornado.locale.get(codes[0]) if codes else None
