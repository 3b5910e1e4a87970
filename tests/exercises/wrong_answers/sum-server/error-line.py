# Wrong: a line that is not all integers raises ValueError and ends the connection.
# Expect: catch ValueError, answer a line
class SumServer(TCPServer):
    async def handle_stream(self, stream, address):
        try:
            while True:
                line = await stream.read_until(b"\n", max_bytes=100)
                total = sum(int(word) for word in line.split())
                await stream.write(f"{total}\n".encode())
        except StreamClosedError:
            pass
