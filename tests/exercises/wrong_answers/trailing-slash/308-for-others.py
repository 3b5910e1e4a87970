# Wrong: permanent=True answers 301 to every method, so a POST is repeated as a GET, without its body.
# Expect: POST, PUT and DELETE get 308
class SlashView(NotFoundView):
    def prepare(self) -> None:
        try:
            super().prepare()
        except ApiError as error:
            path = self.request.path.replace("\\", "/")
            if error.status_code != 404 or not path.endswith("/") or path.startswith("//"):
                raise
            query = "?" + self.request.query if self.request.query else ""
            self.redirect(path.rstrip("/") + query, permanent=True)
