# Wrong: get() takes no argument for the captured group, so Tornado's call get(self, "ada") fails
# with a TypeError, a 500, for every request.
# Expect: get(self, name)
class GreetHandler(tornado.web.RequestHandler):
    def get(self):
        try:
            times = int(self.get_query_argument("times", "1"))
        except ValueError:
            times = 0
        if not 1 <= times <= 10:
            raise ApiError(400, "'times' must be a whole number from 1 to 10")
        name = self.get_query_argument("name", "")
        self.write(" ".join([f"Hello, {name}!"] * times))
