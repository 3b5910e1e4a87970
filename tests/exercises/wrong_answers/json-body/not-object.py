# Wrong: `"text" in body` works on a list or a string too, so ["text"] gets as far as body["text"]
# and crashes the handler with a TypeError, a 500.
# Expect: isinstance(body, dict)
class LengthHandler(tornado.web.RequestHandler):
    def post(self):
        try:
            body = json.loads(self.request.body)
        except ValueError as exc:
            raise ApiError(400, f"Body is not valid JSON: {exc}")
        if "text" not in body or not isinstance(body["text"], str):
            raise ApiError(400, "Body must be an object whose 'text' is a string")
        self.write({"length": len(body["text"])})
