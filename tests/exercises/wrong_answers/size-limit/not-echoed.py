# Wrong: no return after close(), so on_message goes on to write_message to the closed socket,
# which raises WebSocketClosedError (the client sees the close all the same).
# Expect: return right after self.close(...)
class EchoHandler(tornado.websocket.WebSocketHandler):
    def initialize(self, max_chars):
        self.max_chars = max_chars

    def on_message(self, message):
        if len(message) > self.max_chars:
            self.close(1009, f"longer than {self.max_chars} characters")
        self.write_message(message)
