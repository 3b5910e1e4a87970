# Wrong: keeps the times in the class, shared by every connection, so one client's flood cuts off the others.
# Expect: count per connection
class LimitedHandler(tornado.websocket.WebSocketHandler):
    recent = collections.deque()

    def initialize(self, limit, per):
        self.limit = limit
        self.per = per

    def on_message(self, message):
        now = time.monotonic()
        while self.recent and now - self.recent[0] >= self.per:
            self.recent.popleft()
        if len(self.recent) >= self.limit:
            self.close(1008, f"more than {self.limit} messages in {self.per:g} s")
            return
        self.recent.append(now)
        self.write_message(message)
