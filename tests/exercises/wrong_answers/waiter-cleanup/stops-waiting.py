# Wrong: waits correctly, but never stops waiting for a client that hung up.
# Expect: still waiting for it
class UpdatesHandler(tornado.web.RequestHandler):
    def initialize(self, room):
        self.room = room
        self.waiter = None

    async def get(self):
        seen = int(self.get_query_argument("seen", "0"))
        while len(self.room.messages) <= seen:
            await self.room.wait()
        self.write({"messages": self.room.messages[seen:]})
