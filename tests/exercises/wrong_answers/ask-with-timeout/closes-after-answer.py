# Wrong: closes the stream when the read times out, but leaves it open after an answer.
# Expect: after an answer, the connection was left open
async def ask_prime(port, number, *, timeout):
    stream = await TCPClient().connect("127.0.0.1", port, timeout=timeout)
    try:
        await stream.write(f"{number}\n".encode())
        line = await asyncio.wait_for(stream.read_until(b"\n"), timeout)
    except TimeoutError:
        stream.close()
        raise
    return line.decode().rstrip("\n")
