# Wrong: echoes whatever X-Request-Id came, also one that prepare() refuses.
# Expect: never send back what you refused
class TracedView(PingView):
    def set_default_headers(self) -> None:
        super().set_default_headers()
        if "X-Request-Id" in self.request.headers:
            self.set_header("X-Request-Id", self.request.headers["X-Request-Id"])

    def prepare(self) -> None:
        if not REQUEST_ID.fullmatch(self.request.headers.get("X-Request-Id", "")):
            raise ApiError(400, "send an X-Request-Id header of 1 to 64 letters, digits or dashes")
        super().prepare()
