# Wrong: no time limit on the read, so a server that never answers is waited for forever.
# Expect: asyncio.wait_for
async def ask_prime(port, number, *, timeout):
    stream = await TCPClient().connect("127.0.0.1", port, timeout=timeout)
    try:
        await stream.write(f"{number}\n".encode())
        line = await stream.read_until(b"\n")
        return line.decode().rstrip("\n")
    finally:
        stream.close()
