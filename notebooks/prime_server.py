"""The prime protocol over TCP: send an integer per line, get back whether it is prime.

    $ python prime_server.py --port=8000          # then, in another terminal:
    $ printf '7\\n8\\nhello\\n' | nc 127.0.0.1 8000
    7 is prime
    8 is not prime
    error: not an integer: 'hello'

Lesson 05 serves it from a notebook with ``labsupport.serve(PrimeServer())``.
"""

import asyncio
import collections
import logging

from tornado.iostream import StreamClosedError, UnsatisfiableReadError
from tornado.options import define, options
from tornado.tcpserver import TCPServer

MAX_LINE = 64                 # bytes, newline included: longer lines lose the framing
MAX_NUMBER = 10**12           # trial division up to 10**6: well under 0.1 s per check
IDLE_TIMEOUT = 60.0           # seconds a client may stay silent before we hang up

log = logging.getLogger("prime_server")


def is_prime(n: int) -> bool:
    """Trial division by 2 and every odd number up to the square root."""
    if n < 2:
        return False
    if n % 2 == 0:
        return n == 2
    divisor = 3
    while divisor * divisor <= n:
        if n % divisor == 0:
            return False
        divisor += 2
    return True


def parse(line: bytes) -> int:
    """The integer on ``line``, or ValueError with a message fit to send back to the client."""
    text = line.decode("utf-8", errors="replace").strip()
    if not text:
        raise ValueError("empty line: send one integer per line")
    try:
        number = int(text)
    except ValueError:
        raise ValueError(f"not an integer: {text!r}") from None
    if abs(number) > MAX_NUMBER:
        raise ValueError(f"too large: the limit is {MAX_NUMBER}")
    return number


class PrimeServer(TCPServer):
    """Answers one line per line received; ``stats`` counts what happened to each client."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.stats: collections.Counter[str] = collections.Counter()

    async def handle_stream(self, stream, address) -> None:
        """Called by TCPServer for each new connection; returns when the connection is over."""
        self.stats["clients"] += 1
        try:
            while True:
                line = await asyncio.wait_for(
                    stream.read_until(b"\n", max_bytes=MAX_LINE), IDLE_TIMEOUT)
                await stream.write(await self.answer(line))
        except StreamClosedError:
            self.stats[self._why_closed(stream)] += 1
        except asyncio.TimeoutError:
            self.stats["idle timeout"] += 1
            stream.close()

    async def answer(self, line: bytes) -> bytes:
        """The reply to one request line, newline included."""
        try:
            number = parse(line)
        except ValueError as error:
            self.stats["errors"] += 1
            return f"error: {error}\n".encode()
        loop = asyncio.get_running_loop()
        prime = await loop.run_in_executor(None, is_prime, number)  # keeps the loop free
        self.stats["answers"] += 1
        return f"{number} is {'prime' if prime else 'not prime'}\n".encode()

    @staticmethod
    def _why_closed(stream) -> str:
        if isinstance(stream.error, UnsatisfiableReadError):
            return "closed: line too long"  # Tornado closed it: the framing is lost
        return "closed by client"           # also mid-line, or before reading our answer


define("port", default=8000, help="TCP port to listen on")
define("host", default="127.0.0.1", help="address to listen on (127.0.0.1: this machine only)")


async def main() -> None:
    options.parse_command_line()
    server = PrimeServer()
    server.listen(options.port, options.host)
    print(f"prime server on {options.host}:{options.port}; stop with Ctrl+C")
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
