# Wrong: prepare() never calls super().prepare(), so BaseView no longer reads (and refuses) a broken body.
# Expect: end prepare() with super().prepare()
class TracedView(PingView):
    def set_default_headers(self) -> None:
        super().set_default_headers()
        if REQUEST_ID.fullmatch(self.request.headers.get("X-Request-Id", "")):
            self.set_header("X-Request-Id", self.request.headers["X-Request-Id"])

    def prepare(self) -> None:
        if not REQUEST_ID.fullmatch(self.request.headers.get("X-Request-Id", "")):
            raise ApiError(400, "send an X-Request-Id header of 1 to 64 letters, digits or dashes")
