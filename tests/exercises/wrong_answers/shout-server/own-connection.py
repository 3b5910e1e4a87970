# Wrong: the stream kept on self is the last client's, so answers go to the wrong client.
# Expect: arrived on another client's connection
class ShoutServer(TCPServer):
    async def handle_stream(self, stream, address):
        self.stream = stream
        try:
            while True:
                line = await self.stream.read_until(b"\n")
                await self.stream.write(line.upper())
        except StreamClosedError:
            pass
