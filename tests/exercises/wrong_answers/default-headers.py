# Wrong: sets the headers in prepare(), so error answers lose them.
class JSONHandler(tornado.web.RequestHandler):
    def prepare(self):
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.set_header("Cache-Control", "no-store")
