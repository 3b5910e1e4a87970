# Wrong: the lesson's handler with the range check added, but int("two") still crashes it: a 500.
# Expect: try/except ValueError
class GreetHandler(tornado.web.RequestHandler):
    def get(self, name):
        times = int(self.get_query_argument("times", "1"))
        if not 1 <= times <= 10:
            raise ApiError(400, "'times' must be a whole number from 1 to 10")
        self.write(" ".join([f"Hello, {name}!"] * times))
