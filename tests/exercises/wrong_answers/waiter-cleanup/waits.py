# Wrong: answers at once, with whatever there is, even when there is nothing new.
# Expect: it should wait
class UpdatesHandler(tornado.web.RequestHandler):
    def initialize(self, room):
        self.room = room
        self.waiter = None

    async def get(self):
        seen = int(self.get_query_argument("seen", "0"))
        self.write({"messages": self.room.messages[seen:]})

    def on_connection_close(self):
        if self.waiter is not None:
            self.waiter.cancel()
