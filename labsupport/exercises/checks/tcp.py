"""Checks for the exercises of lesson 05 (TCP servers and clients with IOStream).

Example, in ``exercises/05-talk-tcp-with-iostream.ipynb``::

    await labsupport.check("shout-server", ShoutServer)
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections.abc import AsyncIterator

from tornado.iostream import IOStream, StreamClosedError
from tornado.tcpclient import TCPClient
from tornado.tcpserver import TCPServer

from ..check import CheckFailed, task
from ...servers.serving import Server
from .support import LoopWatch, async_function, learner_class, not_done, serve_standalone

__all__: list[str] = []


class _Served:
    """A learner's TCP server listening for a check; ``errors`` holds what escaped handle_stream."""

    def __init__(self, server: Server, errors: list[BaseException]) -> None:
        self.server, self.errors = server, errors

    async def connect(self) -> IOStream:
        return await TCPClient().connect("127.0.0.1", self.server.port, timeout=2)

    async def ask(self, stream: IOStream, data: bytes, *, what: str) -> str:
        """Write ``data``, read one line back; fail with a hint if none comes."""
        try:
            await stream.write(data)
            line = await asyncio.wait_for(stream.read_until(b"\n"), 2)
        except (StreamClosedError, asyncio.TimeoutError) as exc:
            self.raise_learner_error()
            gone = "closed the connection" if isinstance(exc, StreamClosedError) else "sent no line within 2 s"
            raise CheckFailed(f"after {what}, the server {gone}.") from None
        return line.decode(errors="replace").rstrip("\n")

    def raise_learner_error(self) -> None:
        not_done(self.errors)
        if self.errors:
            error = self.errors[-1]
            hint = ""
            if isinstance(error, StreamClosedError):
                hint = " Catch StreamClosedError in handle_stream: it is how a hang-up ends the loop."
            elif isinstance(error, ValueError):
                hint = " Hint: catch ValueError, answer a line starting with 'error: ', and keep reading."
            raise CheckFailed(f"handle_stream raised {type(error).__name__}: {error}.{hint}")


@contextlib.asynccontextmanager
async def _served(cls: type[TCPServer]) -> AsyncIterator[_Served]:
    errors: list[BaseException] = []

    class Watched(cls):  # type: ignore[misc,valid-type]
        async def handle_stream(self, stream, address):
            try:
                result = super().handle_stream(stream, address)
                if inspect.isawaitable(result):
                    await result
            except Exception as exc:  # recorded and reported, never logged as a traceback
                errors.append(exc)
                stream.close()

    server = serve_standalone(Watched(), prefix="check-tcp")
    try:
        async with LoopWatch() as watch:
            yield _Served(server, errors)
    finally:
        await server.aclose()
    if watch.blocked:
        raise CheckFailed(f"your server blocked the event loop for {watch.longest:.1f} s, so every other "
                          "client waited. Await every read and write; never use blocking calls.")


async def _closed_by_server(stream: IOStream) -> bool:
    """True when the peer closes ``stream`` within 2 s."""
    try:
        await asyncio.wait_for(stream.read_until_close(), 2)
    except (StreamClosedError, asyncio.TimeoutError):
        return stream.closed()
    return True


@task("shout-server", budget=8)
async def shout_server(answer) -> str:
    cls = learner_class(answer, "ShoutServer", TCPServer)
    async with _served(cls) as site:
        streams = [await site.connect() for _ in range(3)]
        try:
            for number, stream in enumerate(streams):
                got = await site.ask(stream, f"hello {number}\n".encode(), what=f"'hello {number}'")
                if got != f"HELLO {number}":
                    raise CheckFailed(f"'hello {number}' got {got!r}, expected 'HELLO {number}'. "
                                      "Hint: line.upper(), then write it back, newline included.")
            await streams[0].write(b"spl")
            await asyncio.sleep(0.05)
            got = await site.ask(streams[0], b"it\n", what="a line sent in two pieces")
            if got != "SPLIT":
                raise CheckFailed(f"a line sent in two pieces ('spl' + 'it\\n') got {got!r}, expected 'SPLIT'. "
                                  "Hint: read whole lines with read_until(b\"\\n\").")
        finally:
            for stream in streams:
                stream.close()
        await asyncio.sleep(0.1)  # let handle_stream see the hang-ups
        site.raise_learner_error()
    return "3 clients were answered in capitals, a split line came back whole, and hang-ups ended cleanly"


class _SilentServer(TCPServer):
    def __init__(self) -> None:
        super().__init__()
        self.closed = 0

    async def handle_stream(self, stream, address):
        await stream.read_until_close()
        self.closed += 1


class _PrimeAnswerServer(TCPServer):
    async def handle_stream(self, stream, address):
        with contextlib.suppress(StreamClosedError):
            while True:
                n = int(await stream.read_until(b"\n"))
                prime = n > 1 and all(n % d for d in range(2, int(n**0.5) + 1))
                await stream.write(f"{n} is {'prime' if prime else 'not prime'}\n".encode())


async def _call(answer, port: int, number: int, timeout: float):
    """Run the learner's ask_prime; its own TimeoutError passes through, a hang is reported."""
    try:
        call = asyncio.ensure_future(answer(port, number, timeout=timeout))
    except TypeError as exc:
        raise CheckFailed(f"calling ask_prime(port, {number}, timeout={timeout}) failed: {exc}. "
                          "It should be `async def ask_prime(port, number, *, timeout)`.") from None
    done, _ = await asyncio.wait({call}, timeout=timeout + 1.5)
    if not done:
        call.cancel()
        raise CheckFailed(f"ask_prime(port, {number}, timeout={timeout}) was still waiting after "
                          f"{timeout + 1.5:g} s. Hint: wrap the read in asyncio.wait_for(..., timeout).")
    return call.result()


@task("ask-with-timeout", budget=10)
async def ask_with_timeout(answer) -> str:
    async_function(answer, "ask_prime", ask_if_run=False)
    server = serve_standalone(_PrimeAnswerServer(), prefix="check-tcp")
    try:
        got = await _call(answer, server.port, 7, 2)
    finally:
        await server.aclose()
    if got != "7 is prime":
        raise CheckFailed(f"ask_prime(port, 7) returned {got!r}, expected '7 is prime' "
                          "(a str, without the newline). Hint: decode the line and strip the newline.")
    silent = _SilentServer()
    server = serve_standalone(silent, prefix="check-tcp")
    try:
        try:
            got = await _call(answer, server.port, 7, 0.5)
        except TimeoutError:
            pass
        else:
            raise CheckFailed(f"against a server that never answers, ask_prime returned {got!r}; "
                              "it should raise TimeoutError. Hint: let asyncio.wait_for's TimeoutError through.")
        await asyncio.sleep(0.2)
        if not silent.closed:
            raise CheckFailed("after the timeout, the connection was left open. "
                              "Hint: close the stream in a `finally:` block.")
    finally:
        await server.aclose()
    return "got '7 is prime', raised TimeoutError from a silent server, and closed the connection"


@task("sum-server", budget=8)
async def sum_server(answer) -> str:
    cls = learner_class(answer, "SumServer", TCPServer)
    async with _served(cls) as site:
        stream, other = await site.connect(), await site.connect()
        try:
            for line, want in ((b"1 2 3\n", "6"), (b"-5 5 10\n", "10"), (b"\n", "0")):
                got = await site.ask(stream, line, what=repr(line.decode()))
                if got != want:
                    raise CheckFailed(f"{line.decode()!r} got {got!r}, expected {want!r}. "
                                      "Hint: sum(int(word) for word in line.split()).")
            got = await site.ask(stream, b"1 two 3\n", what="'1 two 3'")
            if not got.startswith("error: "):
                raise CheckFailed(f"'1 two 3' got {got!r}; expected a line starting with 'error: '. "
                                  "Hint: catch ValueError and answer with an error line.")
            got = await site.ask(stream, b"4 4\n", what="a good line after a bad one")
            if got != "8":
                raise CheckFailed(f"after a bad line, '4 4' got {got!r}, expected '8': keep reading after an error.")
            await stream.write(b"9" * 200 + b"\n")
            if not await _closed_by_server(stream):
                raise CheckFailed("a 200-byte line did not close the connection. "
                                  "Hint: read_until(b\"\\n\", max_bytes=100).")
            got = await site.ask(other, b"2 2\n", what="'2 2' from another client")
            if got != "4":
                raise CheckFailed(f"another client's '2 2' got {got!r} after the long line, expected '4'.")
        finally:
            stream.close()
            other.close()
        await asyncio.sleep(0.1)
        site.raise_learner_error()
    return "sums answered, a bad line got an error and the next line an answer, a long line closed only its own connection"
