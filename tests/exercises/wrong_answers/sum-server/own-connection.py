# Wrong: the stream kept on self is the last client's, so answers go to the wrong client.
# Expect: arrived on another client's connection
class SumServer(TCPServer):
    async def handle_stream(self, stream, address):
        self.stream = stream
        try:
            while True:
                line = await self.stream.read_until(b"\n", max_bytes=100)
                try:
                    answer = str(sum(int(word) for word in line.split()))
                except ValueError:
                    answer = "error: not all integers"
                await self.stream.write(f"{answer}\n".encode())
        except StreamClosedError:
            pass
