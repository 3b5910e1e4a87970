# Wrong: sets the headers in prepare(), which runs before get(), but an error answer starts again
# from the default headers, so it loses them (and gets Server back).
# Expect: set_default_headers runs for error answers too
class JSONHandler(tornado.web.RequestHandler):
    def prepare(self):
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.set_header("Cache-Control", "no-store")
        self.clear_header("Server")
