# Wrong: refuses the request with a message that does not say which header is wrong.
# Expect: does not name X-Request-Id
class TracedView(PingView):
    def set_default_headers(self) -> None:
        super().set_default_headers()
        if REQUEST_ID.fullmatch(self.request.headers.get("X-Request-Id", "")):
            self.set_header("X-Request-Id", self.request.headers["X-Request-Id"])

    def prepare(self) -> None:
        if not REQUEST_ID.fullmatch(self.request.headers.get("X-Request-Id", "")):
            raise ApiError(400, "bad request")
        super().prepare()
