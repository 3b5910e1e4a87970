# Wrong: trusts the body, so malformed JSON crashes the handler with a 500.
class LengthHandler(tornado.web.RequestHandler):
    def post(self):
        self.write({"length": len(json.loads(self.request.body)["text"])})
