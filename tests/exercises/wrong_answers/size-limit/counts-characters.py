# Wrong: counts the bytes of the UTF-8 encoding, so 20 'é's (40 bytes) are refused.
# Expect: max_chars counts characters, not bytes
class EchoHandler(tornado.websocket.WebSocketHandler):
    def initialize(self, max_chars):
        self.max_chars = max_chars

    def on_message(self, message):
        if len(message.encode()) > self.max_chars:
            self.close(1009, f"longer than {self.max_chars} bytes")
            return
        self.write_message(message)
