# Wrong: read_bytes(partial=True) answers whatever bytes have arrived, half a line included.
# Expect: read whole lines with read_until
class ShoutServer(TCPServer):
    async def handle_stream(self, stream, address):
        try:
            while True:
                data = await stream.read_bytes(1024, partial=True)
                await stream.write(data.upper())
        except StreamClosedError:
            pass
