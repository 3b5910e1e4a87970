# Wrong: decodes the line but keeps its newline.
# Expect: without the newline
async def ask_prime(port, number, *, timeout):
    stream = await TCPClient().connect("127.0.0.1", port, timeout=timeout)
    try:
        await stream.write(f"{number}\n".encode())
        line = await asyncio.wait_for(stream.read_until(b"\n"), timeout)
        return line.decode()
    finally:
        stream.close()
