# Wrong: trusts the body to be JSON, so `{oops` crashes the handler with a 500.
# Expect: catch the ValueError that json.loads raises
class LengthHandler(tornado.web.RequestHandler):
    def post(self):
        body = json.loads(self.request.body)
        if not isinstance(body, dict) or not isinstance(body.get("text"), str):
            raise ApiError(400, "Body must be an object whose 'text' is a string")
        self.write({"length": len(body["text"])})
