# Wrong: asyncio.sleep without await only makes a coroutine, so nothing waits.
# Expect: await asyncio.sleep(...)
class WaitHandler(tornado.web.RequestHandler):
    async def get(self):
        asyncio.sleep(float(self.get_query_argument("seconds")))
        self.write("done")
