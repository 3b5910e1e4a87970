# Wrong: closes at max_chars characters already (>= instead of >), so the largest allowed message is refused.
# Expect: close only when len(message) > self.max_chars, not >=
class EchoHandler(tornado.websocket.WebSocketHandler):
    def initialize(self, max_chars):
        self.max_chars = max_chars

    def on_message(self, message):
        if len(message) >= self.max_chars:
            self.close(1009, f"longer than {self.max_chars} characters")
            return
        self.write_message(message)
