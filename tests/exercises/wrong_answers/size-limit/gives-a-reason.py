# Wrong: closes with the right code but no reason, so the client is not told what it did wrong.
# Expect: expected a short reason too
class EchoHandler(tornado.websocket.WebSocketHandler):
    def initialize(self, max_chars):
        self.max_chars = max_chars

    def on_message(self, message):
        if len(message) > self.max_chars:
            self.close(1009)
            return
        self.write_message(message)
