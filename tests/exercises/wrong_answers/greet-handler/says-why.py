# Wrong: the right statuses, but HTTPError(400) carries no message, so the client never learns what is wrong.
# Expect: without a message
class GreetHandler(tornado.web.RequestHandler):
    def get(self, name):
        try:
            times = int(self.get_query_argument("times", "1"))
        except ValueError:
            times = 0
        if not 1 <= times <= 10:
            raise tornado.web.HTTPError(400)
        self.write(" ".join([f"Hello, {name}!"] * times))
