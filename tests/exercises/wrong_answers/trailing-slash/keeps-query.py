# Wrong: redirects to the path alone, so the query string is lost.
# Expect: self.request.path has no query
class SlashView(NotFoundView):
    def prepare(self) -> None:
        try:
            super().prepare()
        except ApiError as error:
            path = self.request.path.replace("\\", "/")
            if error.status_code != 404 or not path.endswith("/") or path.startswith("//"):
                raise
            query = "?" + self.request.query if self.request.query else ""
            self.redirect(path.rstrip("/"), status=301 if self.request.method in ("GET", "HEAD") else 308)
