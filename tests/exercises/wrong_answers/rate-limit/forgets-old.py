# Wrong: counts every message ever sent, so a client that paused is still cut off.
# Expect: forget messages older than
class LimitedHandler(tornado.websocket.WebSocketHandler):
    def initialize(self, limit, per):
        self.limit = limit
        self.per = per
        self.times = collections.deque()

    def on_message(self, message):
        if len(self.times) >= self.limit:
            self.close(1008, "too many messages")
            return
        self.times.append(time.monotonic())
        self.write_message(message)
