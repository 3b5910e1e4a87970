# Wrong: strip() takes the newline off too, so the client never gets a whole line back.
# Expect: newline included
class ShoutServer(TCPServer):
    async def handle_stream(self, stream, address):
        try:
            while True:
                line = await stream.read_until(b"\n")
                await stream.write(line.strip().upper())
        except StreamClosedError:
            pass
