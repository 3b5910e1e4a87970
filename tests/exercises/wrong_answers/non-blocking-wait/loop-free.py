# Wrong: time.sleep holds the event loop, so the requests are answered one after another.
# Expect: blocked the event loop
class WaitHandler(tornado.web.RequestHandler):
    def get(self):
        time.sleep(float(self.get_query_argument("seconds")))
        self.write("done")
