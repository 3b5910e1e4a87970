# Wrong: the lesson's two headers, but Tornado's Server header still gives its version away.
# Expect: clear_header('Server')
class JSONHandler(tornado.web.RequestHandler):
    def set_default_headers(self):
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.set_header("Cache-Control", "no-store")
