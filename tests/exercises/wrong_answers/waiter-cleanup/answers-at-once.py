# Wrong: always waits for the next message first, even when there are new ones to answer.
# Expect: it should answer the 2 after the first at once
class UpdatesHandler(tornado.web.RequestHandler):
    def initialize(self, room):
        self.room = room
        self.waiter = None

    async def get(self):
        seen = int(self.get_query_argument("seen", "0"))
        self.waiter = self.room.wait()
        try:
            await self.waiter
        except asyncio.CancelledError:
            return
        self.write({"messages": self.room.messages[seen:]})

    def on_connection_close(self):
        if self.waiter is not None:
            self.waiter.cancel()
