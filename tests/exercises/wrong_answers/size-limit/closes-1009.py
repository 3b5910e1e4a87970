# Wrong: echoes every message, however long.
# Expect: instead of closing the socket with 1009
class EchoHandler(tornado.websocket.WebSocketHandler):
    def initialize(self, max_chars):
        self.max_chars = max_chars

    def on_message(self, message):
        self.write_message(message)
