# Wrong: the try around the whole loop answers the error, then handle_stream is over.
# Expect: keep reading after an error
class SumServer(TCPServer):
    async def handle_stream(self, stream, address):
        try:
            while True:
                line = await stream.read_until(b"\n", max_bytes=100)
                total = sum(int(word) for word in line.split())
                await stream.write(f"{total}\n".encode())
        except ValueError:
            await stream.write(b"error: not all integers\n")
        except StreamClosedError:
            pass
