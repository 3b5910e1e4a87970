# Wrong: sends the number without a newline, so the server, reading lines, never answers.
# Expect: ending in \n
async def ask_prime(port, number, *, timeout):
    stream = await TCPClient().connect("127.0.0.1", port, timeout=timeout)
    try:
        await stream.write(str(number).encode())
        line = await asyncio.wait_for(stream.read_until(b"\n"), timeout)
        return line.decode().rstrip("\n")
    finally:
        stream.close()
