# Wrong: answers 200 with an error object instead of keeping the error status.
class ApiHandler(tornado.web.RequestHandler):
    def write_error(self, status_code, **kwargs):
        self.set_status(200)
        self.finish({"error": {"status": status_code, "message": self._reason}})
