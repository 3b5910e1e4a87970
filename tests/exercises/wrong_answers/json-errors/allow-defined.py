# Wrong: lists all of SUPPORTED_METHODS, which still holds DELETE for a handler that defines only
# get and post, and every method RequestHandler supports for one that does not change it.
# Expect: defines itself
class ApiHandler(tornado.web.RequestHandler):
    def write_error(self, status_code, **kwargs):
        error = kwargs.get("exc_info", (None, None, None))[1]
        message = error.message if isinstance(error, ApiError) else tornado.httputil.responses[status_code]
        if status_code == 405:
            self.set_header("Allow", ", ".join(self.SUPPORTED_METHODS))
        self.finish({"error": {"status": status_code, "message": message}})
