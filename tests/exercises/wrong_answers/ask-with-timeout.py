# Wrong: no time limit on the read, and the stream is never closed.
async def ask_prime(port, number, *, timeout):
    stream = await TCPClient().connect("127.0.0.1", port, timeout=timeout)
    await stream.write(f"{number}\n".encode())
    line = await stream.read_until(b"\n")
    return line.decode().rstrip("\n")
