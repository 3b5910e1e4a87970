# Wrong: answers every message in the room, also those the client has already seen.
# Expect: write self.room.messages[seen:]
class UpdatesHandler(tornado.web.RequestHandler):
    def initialize(self, room):
        self.room = room
        self.waiter = None

    async def get(self):
        seen = int(self.get_query_argument("seen", "0"))
        while len(self.room.messages) <= seen:
            self.waiter = self.room.wait()
            try:
                await self.waiter
            except asyncio.CancelledError:
                return
        self.write({"messages": self.room.messages})

    def on_connection_close(self):
        if self.waiter is not None:
            self.waiter.cancel()
