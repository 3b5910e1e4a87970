# Wrong: the lesson's handler, repeated with join: int("two") raises ValueError, so the client gets a 500.
class GreetHandler(tornado.web.RequestHandler):
    def get(self, name):
        times = int(self.get_query_argument("times", "1"))
        self.write(" ".join([f"Hello, {name}!"] * times))
