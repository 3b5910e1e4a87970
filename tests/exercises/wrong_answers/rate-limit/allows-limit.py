# Wrong: records the new message's time before comparing, so only limit - 1 messages get through.
# Expect: 5 messages are allowed in 0.8 s when limit is 5
class LimitedHandler(tornado.websocket.WebSocketHandler):
    def initialize(self, limit, per):
        self.limit = limit
        self.per = per
        self.times = collections.deque()

    def on_message(self, message):
        now = time.monotonic()
        while self.times and now - self.times[0] >= self.per:
            self.times.popleft()
        self.times.append(now)
        if len(self.times) >= self.limit:
            self.close(1008, f"more than {self.limit} messages in {self.per:g} s")
            return
        self.write_message(message)
