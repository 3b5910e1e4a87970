# Wrong: writes only the refusal, and forgets to echo the messages that are short enough.
# Expect: echo every message of at most max_chars characters
class EchoHandler(tornado.websocket.WebSocketHandler):
    def initialize(self, max_chars):
        self.max_chars = max_chars

    def on_message(self, message):
        if len(message) > self.max_chars:
            self.close(1009, f"longer than {self.max_chars} characters")
