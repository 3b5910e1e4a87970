# Wrong: closes the stream after an answer, but a TimeoutError skips the close.
# Expect: after the timeout, the connection was left open
async def ask_prime(port, number, *, timeout):
    stream = await TCPClient().connect("127.0.0.1", port, timeout=timeout)
    await stream.write(f"{number}\n".encode())
    line = await asyncio.wait_for(stream.read_until(b"\n"), timeout)
    stream.close()
    return line.decode().rstrip("\n")
