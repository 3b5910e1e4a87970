# Wrong: self.redirect(url) without a status answers 302 Found, a temporary redirect, for every method.
# Expect: expected 301 to
class SlashView(NotFoundView):
    def prepare(self) -> None:
        try:
            super().prepare()
        except ApiError as error:
            path = self.request.path.replace("\\", "/")
            if error.status_code != 404 or not path.endswith("/") or path.startswith("//"):
                raise
            query = "?" + self.request.query if self.request.query else ""
            self.redirect(path.rstrip("/") + query)
