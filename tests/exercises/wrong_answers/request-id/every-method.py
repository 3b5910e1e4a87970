# Wrong: checks the id in get(), so a POST or DELETE without one gets 405 instead of 400.
# Expect: which Tornado calls before every method
class TracedView(PingView):
    def set_default_headers(self) -> None:
        super().set_default_headers()
        if REQUEST_ID.fullmatch(self.request.headers.get("X-Request-Id", "")):
            self.set_header("X-Request-Id", self.request.headers["X-Request-Id"])

    def get(self) -> None:
        if not REQUEST_ID.fullmatch(self.request.headers.get("X-Request-Id", "")):
            raise ApiError(400, "send an X-Request-Id header of 1 to 64 letters, digits or dashes")
        super().get()
