# Wrong: tornado.gen.with_timeout takes a deadline on the IOLoop's clock, not a number of seconds,
# so timeout=2 is long past and it gives up at once.
# Expect: before its timeout
import tornado.gen


async def ask_prime(port, number, *, timeout):
    stream = await TCPClient().connect("127.0.0.1", port, timeout=timeout)
    try:
        await stream.write(f"{number}\n".encode())
        line = await tornado.gen.with_timeout(timeout, stream.read_until(b"\n"))
        return line.decode().rstrip("\n")
    finally:
        stream.close()
