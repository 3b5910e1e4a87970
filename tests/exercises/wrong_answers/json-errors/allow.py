# Wrong: the lesson's write_error, word for word: right messages, but a 405 says nothing about which methods work.
# Expect: set the Allow header
class ApiHandler(tornado.web.RequestHandler):
    def write_error(self, status_code, **kwargs):
        error = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(error, ApiError):
            message = error.message
        else:
            message = tornado.httputil.responses.get(status_code, "Unknown")
        self.finish({"error": {"status": status_code, "message": message}})
