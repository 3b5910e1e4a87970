# Wrong: uses any exception's `message`, not only an ApiError's, so a failed fetch's
# HTTPClientError tells the client which database it could not reach.
# Expect: isinstance(error, ApiError)
class ApiHandler(tornado.web.RequestHandler):
    def write_error(self, status_code, **kwargs):
        error = kwargs.get("exc_info", (None, None, None))[1]
        message = getattr(error, "message", None) or tornado.httputil.responses.get(status_code, "Unknown")
        if status_code == 405:
            base = tornado.web.RequestHandler
            answered = [method for method in self.SUPPORTED_METHODS
                        if getattr(type(self), method.lower(), None) is not getattr(base, method.lower(), None)]
            self.set_header("Allow", ", ".join(answered))
        self.finish({"error": {"status": status_code, "message": message}})
