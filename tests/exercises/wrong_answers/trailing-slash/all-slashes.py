# Wrong: takes away only the last slash, so /api/v1/accounts// goes to /api/v1/accounts/.
# Expect: not just the last one
class SlashView(NotFoundView):
    def prepare(self) -> None:
        try:
            super().prepare()
        except ApiError as error:
            path = self.request.path.replace("\\", "/")
            if error.status_code != 404 or not path.endswith("/") or path.startswith("//"):
                raise
            query = "?" + self.request.query if self.request.query else ""
            self.redirect(path[:-1] + query, status=301 if self.request.method in ("GET", "HEAD") else 308)
