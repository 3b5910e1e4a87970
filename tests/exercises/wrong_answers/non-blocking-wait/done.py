# Wrong: returns the answer instead of writing it, so every response has an empty body.
# Expect: a handler's return value is thrown away
class WaitHandler(tornado.web.RequestHandler):
    async def get(self):
        await asyncio.sleep(float(self.get_query_argument("seconds")))
        return "done"
