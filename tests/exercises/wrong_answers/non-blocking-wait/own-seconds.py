# Wrong: waits a fixed half second, whatever `seconds` asks for.
# Expect: float(self.get_query_argument('seconds'))
class WaitHandler(tornado.web.RequestHandler):
    async def get(self):
        await asyncio.sleep(0.5)
        self.write("done")
