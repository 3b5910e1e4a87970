# Wrong: echoes every message, however long.
class EchoHandler(tornado.websocket.WebSocketHandler):
    def initialize(self, max_chars):
        self.max_chars = max_chars

    def on_message(self, message):
        self.write_message(message)
