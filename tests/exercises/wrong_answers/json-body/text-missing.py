# Wrong: a missing 'text' defaults to the empty string, so {} answers 200 {"length": 0}.
# Expect: don't default it
class LengthHandler(tornado.web.RequestHandler):
    def post(self):
        try:
            body = json.loads(self.request.body)
        except ValueError as exc:
            raise ApiError(400, f"Body is not valid JSON: {exc}")
        if not isinstance(body, dict):
            raise ApiError(400, "Body must be an object")
        text = body.get("text", "")
        if not isinstance(text, str):
            raise ApiError(400, "'text' must be a string")
        self.write({"length": len(text)})
