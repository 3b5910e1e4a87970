# Wrong: > instead of >=, so limit + 1 messages get through before the close.
# Expect: close when len(self.times) >= self.limit, not >
class LimitedHandler(tornado.websocket.WebSocketHandler):
    def initialize(self, limit, per):
        self.limit = limit
        self.per = per
        self.times = collections.deque()

    def on_message(self, message):
        now = time.monotonic()
        while self.times and now - self.times[0] >= self.per:
            self.times.popleft()
        if len(self.times) > self.limit:
            self.close(1008, f"more than {self.limit} messages in {self.per:g} s")
            return
        self.times.append(now)
        self.write_message(message)
