# Wrong: the status and the message at the top level, not inside {"error": {...}}.
# Expect: the status and message inside 'error'
class ApiHandler(tornado.web.RequestHandler):
    def write_error(self, status_code, **kwargs):
        error = kwargs.get("exc_info", (None, None, None))[1]
        message = error.message if isinstance(error, ApiError) else tornado.httputil.responses[status_code]
        if status_code == 405:
            base = tornado.web.RequestHandler
            answered = [method for method in self.SUPPORTED_METHODS
                        if getattr(type(self), method.lower(), None) is not getattr(base, method.lower(), None)]
            self.set_header("Allow", ", ".join(answered))
        self.finish({"status": status_code, "message": message})
