# Wrong: multiplies the greeting string itself, so the greetings run together with no space between.
# Expect: one space between greetings
class GreetHandler(tornado.web.RequestHandler):
    def get(self, name):
        try:
            times = int(self.get_query_argument("times", "1"))
        except ValueError:
            times = 0
        if not 1 <= times <= 10:
            raise ApiError(400, "'times' must be a whole number from 1 to 10")
        self.write(f"Hello, {name}!" * times)
