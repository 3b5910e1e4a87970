# Wrong: strips the slashes without looking at the start, so //evil.example/ redirects to //evil.example,
# another site (an open redirect).
# Expect: an open redirect
class SlashView(NotFoundView):
    def prepare(self) -> None:
        try:
            super().prepare()
        except ApiError as error:
            path = self.request.path
            if error.status_code != 404 or not path.endswith("/"):
                raise
            query = "?" + self.request.query if self.request.query else ""
            self.redirect(path.rstrip("/") + query, status=301 if self.request.method in ("GET", "HEAD") else 308)
