# Wrong: Cache-Control: no-cache, which still lets a cache store the answer, instead of no-store.
# Expect: no-store forbids storing it
class JSONHandler(tornado.web.RequestHandler):
    def set_default_headers(self):
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.set_header("Cache-Control", "no-cache")
        self.clear_header("Server")
