# Wrong: blocks the event loop with time.sleep before answering.
import time

class GreetHandler(tornado.web.RequestHandler):
    def get(self, name):
        time.sleep(0.5)
        self.write(f"Hello, {name}!")
