# Wrong: sets the header while handling the request; an error answer calls clear(), which drops it.
# Expect: calls set_default_headers() again
class TracedView(PingView):
    def prepare(self) -> None:
        request_id = self.request.headers.get("X-Request-Id", "")
        if not REQUEST_ID.fullmatch(request_id):
            raise ApiError(400, "send an X-Request-Id header of 1 to 64 letters, digits or dashes")
        self.set_header("X-Request-Id", request_id)
        super().prepare()
