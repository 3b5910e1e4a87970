# Wrong: blocks the event loop with time.sleep before answering.
class GreetHandler(tornado.web.RequestHandler):
    def get(self, name):
        time.sleep(0.5)
        self.write(f"Hello, {name}!")
