# Wrong: catches only json.JSONDecodeError, so bytes that are not UTF-8 (UnicodeDecodeError) crash it with a 500.
# Expect: UnicodeDecodeError
class LengthHandler(tornado.web.RequestHandler):
    def post(self):
        try:
            body = json.loads(self.request.body)
        except json.JSONDecodeError as exc:
            raise ApiError(400, f"Body is not valid JSON: {exc}")
        if not isinstance(body, dict) or not isinstance(body.get("text"), str):
            raise ApiError(400, "Body must be an object whose 'text' is a string")
        self.write({"length": len(body["text"])})
