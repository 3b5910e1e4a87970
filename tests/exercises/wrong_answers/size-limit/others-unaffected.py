# Wrong: keeps every open socket in a set of the class, as a chat room does, and closes them all.
# Expect: closing one client must leave the others connected
class EchoHandler(tornado.websocket.WebSocketHandler):
    clients = set()

    def initialize(self, max_chars):
        self.max_chars = max_chars

    def open(self):
        self.clients.add(self)

    def on_close(self):
        self.clients.discard(self)

    def on_message(self, message):
        if len(message) > self.max_chars:
            for client in list(self.clients):
                client.close(1009, f"longer than {self.max_chars} characters")
            return
        self.write_message(message)
