# Wrong: decodes the body again, as JSON only, so a form body (name=milk) fails.
import json


class EchoView(BaseView):
    def post(self) -> None:
        self.send({"received": json.loads(self.request.body)})
