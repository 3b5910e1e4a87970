# Wrong: takes the new messages before waiting, so after the wait it answers the list as it was: empty.
# Expect: take self.room.messages[seen:] after the wait
class UpdatesHandler(tornado.web.RequestHandler):
    def initialize(self, room):
        self.room = room
        self.waiter = None

    async def get(self):
        seen = int(self.get_query_argument("seen", "0"))
        new = self.room.messages[seen:]
        if not new:
            self.waiter = self.room.wait()
            try:
                await self.waiter
            except asyncio.CancelledError:
                return
        self.write({"messages": new})

    def on_connection_close(self):
        if self.waiter is not None:
            self.waiter.cancel()
