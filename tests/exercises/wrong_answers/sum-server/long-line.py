# Wrong: no max_bytes, so a line of any length is read and answered.
# Expect: max_bytes=100
class SumServer(TCPServer):
    async def handle_stream(self, stream, address):
        try:
            while True:
                line = await stream.read_until(b"\n")
                try:
                    answer = str(sum(int(word) for word in line.split()))
                except ValueError:
                    answer = "error: not all integers"
                await stream.write(f"{answer}\n".encode())
        except StreamClosedError:
            pass
