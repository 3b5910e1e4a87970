# Wrong: redirects before NotFoundView has looked at the host, so a host name not ours is redirected too.
# Expect: a host name not ours gets NotFoundView's 400 first
class SlashView(NotFoundView):
    def prepare(self) -> None:
        path = self.request.path.replace("\\", "/")
        if path.endswith("/") and not path.startswith("//"):
            query = "?" + self.request.query if self.request.query else ""
            self.redirect(path.rstrip("/") + query, status=301 if self.request.method in ("GET", "HEAD") else 308)
            return
        super().prepare()
