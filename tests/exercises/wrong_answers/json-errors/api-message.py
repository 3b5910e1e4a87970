# Wrong: self._reason is the status line's phrase ("Not Found"), not the ApiError's message.
# Expect: kwargs['exc_info']
class ApiHandler(tornado.web.RequestHandler):
    def write_error(self, status_code, **kwargs):
        if status_code == 405:
            base = tornado.web.RequestHandler
            answered = [method for method in self.SUPPORTED_METHODS
                        if getattr(type(self), method.lower(), None) is not getattr(base, method.lower(), None)]
            self.set_header("Allow", ", ".join(answered))
        self.finish({"error": {"status": status_code, "message": self._reason}})
