# Wrong: REQUEST_ID.match instead of fullmatch: it matches the first 64 characters of a longer id, so a
# 65-character id gets through.
# Expect: that request had a 65-character id
class TracedView(PingView):
    def set_default_headers(self) -> None:
        super().set_default_headers()
        if REQUEST_ID.match(self.request.headers.get("X-Request-Id", "")):
            self.set_header("X-Request-Id", self.request.headers["X-Request-Id"])

    def prepare(self) -> None:
        if not REQUEST_ID.match(self.request.headers.get("X-Request-Id", "")):
            raise ApiError(400, "send an X-Request-Id header of 1 to 64 letters, digits or dashes")
        super().prepare()
