# Wrong: no loop: the first line is answered, and every later line is left unread.
# Expect: keep reading in a loop
class ShoutServer(TCPServer):
    async def handle_stream(self, stream, address):
        try:
            line = await stream.read_until(b"\n")
            await stream.write(line.upper())
        except StreamClosedError:
            pass
