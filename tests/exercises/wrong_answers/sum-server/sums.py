# Wrong: split(b" ") leaves the empty line one word, b"\n", so it gets an error, not 0.
# Expect: an empty line
class SumServer(TCPServer):
    async def handle_stream(self, stream, address):
        try:
            while True:
                line = await stream.read_until(b"\n", max_bytes=100)
                try:
                    answer = str(sum(int(word) for word in line.split(b" ")))
                except ValueError:
                    answer = "error: not all integers"
                await stream.write(f"{answer}\n".encode())
        except StreamClosedError:
            pass
