# Wrong: forgets to raise again when there is nothing to redirect, so an unknown path gets 405 instead of 404.
# Expect: let super().prepare() raise, whatever the method
class SlashView(NotFoundView):
    def prepare(self) -> None:
        try:
            super().prepare()
        except ApiError as error:
            path = self.request.path.replace("\\", "/")
            if error.status_code != 404 or not path.endswith("/") or path.startswith("//"):
                return
            query = "?" + self.request.query if self.request.query else ""
            self.redirect(path.rstrip("/") + query, status=301 if self.request.method in ("GET", "HEAD") else 308)
