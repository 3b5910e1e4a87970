# Wrong: json.dumps gives the JSON as text, which Tornado sends as text/html, not application/json.
# Expect: expected application/json
class ApiHandler(tornado.web.RequestHandler):
    def write_error(self, status_code, **kwargs):
        error = kwargs.get("exc_info", (None, None, None))[1]
        message = error.message if isinstance(error, ApiError) else tornado.httputil.responses[status_code]
        if status_code == 405:
            base = tornado.web.RequestHandler
            answered = [method for method in self.SUPPORTED_METHODS
                        if getattr(type(self), method.lower(), None) is not getattr(base, method.lower(), None)]
            self.set_header("Allow", ", ".join(answered))
        self.finish(json.dumps({"error": {"status": status_code, "message": message}}))
