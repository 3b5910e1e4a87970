# Wrong: every error that is not an ApiError is taken for a crash, so HTTPError(410) says
# "Internal Server Error" instead of "Gone".
# Expect: the standard phrase of its status
class ApiHandler(tornado.web.RequestHandler):
    def write_error(self, status_code, **kwargs):
        error = kwargs.get("exc_info", (None, None, None))[1]
        message = error.message if isinstance(error, ApiError) else "Internal Server Error"
        if status_code == 405:
            base = tornado.web.RequestHandler
            answered = [method for method in self.SUPPORTED_METHODS
                        if getattr(type(self), method.lower(), None) is not getattr(base, method.lower(), None)]
            self.set_header("Allow", ", ".join(answered))
        self.finish({"error": {"status": status_code, "message": message}})
