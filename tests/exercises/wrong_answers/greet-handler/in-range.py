# Wrong: guards against a huge `times` only, so times=0 answers 200 with an empty body.
# Expect: both below 1 and above 10
class GreetHandler(tornado.web.RequestHandler):
    def get(self, name):
        try:
            times = int(self.get_query_argument("times", "1"))
        except ValueError:
            raise ApiError(400, "'times' must be a whole number")
        if times > 10:
            raise ApiError(400, "'times' must be at most 10")
        self.write(" ".join([f"Hello, {name}!"] * times))
