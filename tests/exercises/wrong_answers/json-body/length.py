# Wrong: `not text` refuses the empty text too, which is a string, of length 0.
# Expect: an empty text is a string too
class LengthHandler(tornado.web.RequestHandler):
    def post(self):
        try:
            body = json.loads(self.request.body)
        except ValueError as exc:
            raise ApiError(400, f"Body is not valid JSON: {exc}")
        text = body.get("text") if isinstance(body, dict) else None
        if not text or not isinstance(text, str):
            raise ApiError(400, "Body must be an object whose 'text' is a string")
        self.write({"length": len(text)})
