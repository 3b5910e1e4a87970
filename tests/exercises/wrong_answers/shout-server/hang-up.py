# Wrong: never catches StreamClosedError, so every hang-up escapes handle_stream as an error.
# Expect: Catch StreamClosedError
class ShoutServer(TCPServer):
    async def handle_stream(self, stream, address):
        while True:
            line = await stream.read_until(b"\n")
            await stream.write(line.upper())
