# Wrong: lets len() decide, turning its errors into a 400, but len() counts a list's items too, so
# {"text": ["a", "b"]} answers 200 {"length": 2}.
# Expect: isinstance(body['text'], str)
class LengthHandler(tornado.web.RequestHandler):
    def post(self):
        try:
            body = json.loads(self.request.body)
        except ValueError as exc:
            raise ApiError(400, f"Body is not valid JSON: {exc}")
        try:
            length = len(body["text"])
        except (KeyError, TypeError):
            raise ApiError(400, "Body must be an object whose 'text' is a string")
        self.write({"length": length})
