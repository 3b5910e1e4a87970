# Wrong: answers the status line's reason phrase ("Not Found"), not the ApiError's message.
class ApiHandler(tornado.web.RequestHandler):
    def write_error(self, status_code, **kwargs):
        self.finish({"error": {"status": status_code, "message": self._reason}})
