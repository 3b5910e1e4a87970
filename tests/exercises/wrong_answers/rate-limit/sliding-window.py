# Wrong: starts afresh once the oldest time is too old, forgetting the recent ones with it: a fixed
# window, so right after it, twice the limit can come within `per` seconds.
# Expect: Forget only the times older than self.per
class LimitedHandler(tornado.websocket.WebSocketHandler):
    def initialize(self, limit, per):
        self.limit = limit
        self.per = per
        self.times = collections.deque()

    def on_message(self, message):
        now = time.monotonic()
        if self.times and now - self.times[0] >= self.per:
            self.times.clear()
        if len(self.times) >= self.limit:
            self.close(1008, f"more than {self.limit} messages in {self.per:g} s")
            return
        self.times.append(now)
        self.write_message(message)
