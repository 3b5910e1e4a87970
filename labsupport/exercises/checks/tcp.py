"""Checks for the exercises of lesson 05 (TCP servers and clients with IOStream).

Example, in ``exercises/05-talk-tcp-with-iostream.ipynb``::

    await labsupport.check("shout-server", ShoutServer)
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import time
from collections.abc import AsyncIterator

from tornado.iostream import IOStream, StreamClosedError
from tornado.tcpclient import TCPClient
from tornado.tcpserver import TCPServer

from ..check import CheckFailed, requirement, task
from ...servers.serving import Server
from .support import LoopWatch, async_function, learner_class, not_done, serve_standalone

__all__: list[str] = []


class _Served:
    """A learner's TCP server listening for a check; ``errors`` holds what escaped handle_stream."""

    def __init__(self, server: Server, errors: list[BaseException]) -> None:
        self.server, self.errors = server, errors
        self.streams: list[IOStream] = []  # every client the check connected, to find misdirected answers

    async def connect(self) -> IOStream:
        stream = await TCPClient().connect("127.0.0.1", self.server.port, timeout=2)
        self.streams.append(stream)
        return stream

    async def ask(self, stream: IOStream, data: bytes, *, what: str, hint: str = "") -> str:
        """Write ``data``, read one line back; fail with ``hint`` (or a better one) if none comes."""
        try:
            await stream.write(data)
            line = await asyncio.wait_for(stream.read_until(b"\n"), 2)
        except (StreamClosedError, asyncio.TimeoutError) as exc:
            await self.find_misdirected(stream, what)
            self.raise_learner_error()
            gone = "closed the connection" if isinstance(exc, StreamClosedError) else "sent no line within 2 s"
            raise CheckFailed(f"after {what}, the server {gone}." + (f" {hint}" if hint else "")) from None
        return line.decode(errors="replace").rstrip("\n")

    async def find_misdirected(self, stream: IOStream, what: str) -> None:
        """Fail if the answer ``stream`` waited for arrived on another client's connection."""
        for other in self.streams:
            if other is stream or other.closed():
                continue
            try:
                line = await asyncio.wait_for(other.read_until(b"\n"), 0.3)
            except (StreamClosedError, asyncio.TimeoutError):
                continue
            raise CheckFailed(f"the answer to {what}, {line.decode(errors='replace').rstrip()!r}, arrived on another "
                              "client's connection. Hint: one server object serves every client, so self.stream is "
                              "the last client's; use handle_stream's own `stream` argument, a local variable.")

    def raise_learner_error(self) -> None:
        not_done(self.errors)
        if self.errors:
            error = self.errors[-1]
            hint = ""
            if isinstance(error, StreamClosedError):
                hint = " Catch StreamClosedError in handle_stream: it is how a hang-up ends the loop."
            elif isinstance(error, ValueError):
                hint = " Hint: catch ValueError, answer a line starting with 'error: ', and keep reading."
            elif isinstance(error, AssertionError) and "Already reading" in str(error):
                hint = (" Two handle_stream calls read one stream. Hint: use handle_stream's own `stream`, "
                        "a local variable, not self.stream: one server object serves every client.")
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


@task("shout-server", budget=10, requirements={
    "capitals": "each line comes back in capitals, newline included",
    "own-connection": "each of three connected clients gets the answers to its own lines",
    "every-line": "the server keeps answering a client's lines until it hangs up, not only the first",
    "whole-lines": "a line sent in two pieces is answered once it is whole, not piece by piece",
    "hang-up": "a hang-up ends handle_stream quietly: nothing escapes it, StreamClosedError included",
})
async def shout_server(answer) -> str:
    cls = learner_class(answer, "ShoutServer", TCPServer)
    async with _served(cls) as site:
        streams = [await site.connect() for _ in range(3)]
        try:
            requirement("capitals")
            for number, stream in enumerate(streams):
                got = await site.ask(stream, f"hello {number}\n".encode(), what=f"'hello {number}'",
                                     hint="Hint: write line.upper() back, newline included (strip() takes it off).")
                if got != f"HELLO {number}":
                    raise CheckFailed(f"'hello {number}' got {got!r}, expected 'HELLO {number}'. "
                                      "Hint: line.upper(), then write it back, newline included.")
            requirement("every-line")
            got = await site.ask(streams[1], b"again\n", what="a second line from the same client",
                                 hint="It answered the first line only. Hint: keep reading in a loop "
                                      "(while True:) until the client hangs up.")
            if got != "AGAIN":
                raise CheckFailed(f"a second line, 'again', got {got!r}, expected 'AGAIN'.")
            requirement("whole-lines")
            early = asyncio.ensure_future(streams[0].read_bytes(1024, partial=True))
            await streams[0].write(b"spl")
            done, _ = await asyncio.wait({early}, timeout=0.2)
            if done and early.exception() is None:
                raise CheckFailed(f"half a line, 'spl' without its newline, was answered at once with "
                                  f"{early.result().decode(errors='replace')!r}. Hint: read whole lines with "
                                  "read_until(b\"\\n\"), which waits for the newline.")
            if done:  # the read failed: the server closed the stream
                site.raise_learner_error()
                raise CheckFailed("after half a line, 'spl', the server closed the connection.")
            await streams[0].write(b"it\n")
            try:
                data = await asyncio.wait_for(early, 2)
                if not data.endswith(b"\n"):
                    data += await asyncio.wait_for(streams[0].read_until(b"\n"), 2)
            except (StreamClosedError, asyncio.TimeoutError):
                site.raise_learner_error()
                raise CheckFailed("after a line sent in two pieces ('spl' + 'it\\n'), the server sent no "
                                  "line within 2 s. Hint: read whole lines with read_until(b\"\\n\").") from None
            got = data.decode(errors="replace").rstrip("\n")
            if got != "SPLIT":
                raise CheckFailed(f"a line sent in two pieces ('spl' + 'it\\n') got {got!r}, expected 'SPLIT'. "
                                  "Hint: read whole lines with read_until(b\"\\n\").")
            requirement("hang-up")
            await streams[2].write(b"half a line")  # then hangs up in the middle of it
        finally:
            for stream in streams:
                stream.close()
        await asyncio.sleep(0.1)  # let handle_stream see the hang-ups
        site.raise_learner_error()
    return ("3 clients were answered in capitals, line after line; a split line came back whole, "
            "and hang-ups ended cleanly")


class _SilentServer(TCPServer):
    def __init__(self) -> None:
        super().__init__()
        self.closed = 0

    async def handle_stream(self, stream, address):
        await stream.read_until_close()
        self.closed += 1


class _PrimeAnswerServer(TCPServer):
    """Answers each line's number with whether it is prime; counts the connections its clients closed."""

    def __init__(self) -> None:
        super().__init__()
        self.lines = 0
        self.closed = 0

    async def handle_stream(self, stream, address):
        try:
            while True:
                n = int(await stream.read_until(b"\n"))
                self.lines += 1
                prime = n > 1 and all(n % d for d in range(2, int(n**0.5) + 1))
                await stream.write(f"{n} is {'prime' if prime else 'not prime'}\n".encode())
        except StreamClosedError:
            self.closed += 1


async def _call(answer, port: int, number: int, timeout: float):
    """Run the learner's ask_prime; return (result, its TimeoutError or None, seconds); report a hang.

    The learner's TimeoutError never escapes: the check itself would take it for its own budget running out.
    """
    start = time.perf_counter()
    try:
        call = asyncio.ensure_future(answer(port, number, timeout=timeout))
    except TypeError as exc:
        raise CheckFailed(f"calling ask_prime(port, {number}, timeout={timeout}) failed: {exc}. "
                          "It should be `async def ask_prime(port, number, *, timeout)`.") from None
    limit = timeout + 0.5
    done, _ = await asyncio.wait({call}, timeout=limit)
    took = time.perf_counter() - start
    if not done:
        call.cancel()
        raise CheckFailed(f"ask_prime(port, {number}, timeout={timeout}) was still waiting after {limit:g} s. "
                          "Hint: wrap the read in asyncio.wait_for(..., timeout), which gives up at the timeout.")
    try:
        return call.result(), None, took
    except TimeoutError as exc:
        return None, exc, took


async def _closed_by_client(server, calls: int) -> bool:
    """True once ``server`` has seen ``calls`` connections closed, waiting at most 0.5 s."""
    for _ in range(25):
        if server.closed >= calls:
            return True
        await asyncio.sleep(0.02)
    return False


@task("ask-with-timeout", budget=10, requirements={
    "answer": "ask_prime returns the server's answer line as a str, without its newline",
    "sends-number": "ask_prime sends `number` as one line, ending in a newline",
    "not-sooner": "ask_prime waits its whole `timeout` for an answer before it gives up",
    "closes-after-answer": "the stream is closed after an answer",
    "timeout": "with no answer, ask_prime raises TimeoutError once `timeout` s are up, not much later",
    "closes-after-timeout": "the stream is closed after a timeout too",
})
async def ask_with_timeout(answer) -> str:
    async_function(answer, "ask_prime", ask_if_run=False)
    primes = _PrimeAnswerServer()
    server = serve_standalone(primes, prefix="check-tcp")
    try:
        for calls, (number, want) in enumerate(((7, "7 is prime"), (91, "91 is not prime")), 1):
            requirement("answer")
            got, timed_out, took = await _call(answer, server.port, number, 1)
            if timed_out and took < 0.8:
                requirement("not-sooner")
                raise CheckFailed(f"ask_prime(port, {number}, timeout=1) raised TimeoutError after {took:.2f} s, "
                                  "before its timeout, from a server that answers at once. Hint: "
                                  "asyncio.wait_for(..., timeout) counts seconds from now; tornado.gen.with_timeout "
                                  "wants a deadline on the IOLoop's clock.")
            if timed_out:
                requirement("sends-number")
                got_line = "answered its line" if primes.lines >= calls else "got no whole line"
                raise CheckFailed(f"ask_prime(port, {number}, timeout=1) raised TimeoutError; the prime server "
                                  f"{got_line}. Hint: send the number as a line, ending in \\n: f\"{{number}}\\n\".encode().")
            if got != want:
                raise CheckFailed(f"ask_prime(port, {number}) returned {got!r}, expected {want!r} "
                                  "(a str, without the newline). Hint: decode the line and strip the newline.")
            requirement("closes-after-answer")
            if not await _closed_by_client(primes, calls):
                raise CheckFailed(f"after an answer, the connection was left open: ask_prime(port, {number}) "
                                  "returned without closing its stream. Hint: close it in a `finally:` block, "
                                  "which runs after a return too.")
    finally:
        await server.aclose()
    silent = _SilentServer()
    server = serve_standalone(silent, prefix="check-tcp")
    try:
        requirement("timeout")
        got, timed_out, took = await _call(answer, server.port, 7, 0.5)
        if not timed_out:
            raise CheckFailed(f"against a server that never answers, ask_prime returned {got!r}; "
                              "it should raise TimeoutError. Hint: let asyncio.wait_for's TimeoutError through.")
        requirement("not-sooner")
        if took < 0.4:
            raise CheckFailed(f"ask_prime(port, 7, timeout=0.5) raised TimeoutError after {took:.2f} s, before its "
                              "timeout. Hint: asyncio.wait_for(..., timeout) waits `timeout` seconds from now.")
        requirement("closes-after-timeout")
        await asyncio.sleep(0.2)
        if not silent.closed:
            raise CheckFailed("after the timeout, the connection was left open. "
                              "Hint: close the stream in a `finally:` block, which runs when an exception "
                              "leaves the `try:` too.")
    finally:
        await server.aclose()
    return ("got '7 is prime' and '91 is not prime', raised TimeoutError from a silent server after its timeout, "
            "and closed the connection every time")


@task("sum-server", budget=10, requirements={
    "sums": "each line of integers is answered with its sum, an empty line with 0",
    "own-connection": "each client gets the answers to its own lines, and the others carry on after a long line",
    "error-line": "a line that is not all integers is answered with a line starting 'error: '",
    "keeps-reading": "after a bad line the server keeps reading the same connection",
    "long-line": "a line longer than 100 bytes closes that client's connection, and a shorter one does not",
})
async def sum_server(answer) -> str:
    cls = learner_class(answer, "SumServer", TCPServer)
    async with _served(cls) as site:
        stream, other = await site.connect(), await site.connect()
        try:
            requirement("sums")
            for line, want in ((b"1 2 3\n", "6"), (b"-5 5 10\n", "10"), (b"\n", "0")):
                got = await site.ask(stream, line, what=repr(line.decode()))
                if got != want and line == b"\n":
                    raise CheckFailed(f"an empty line got {got!r}, expected '0'. Hint: line.split(), without an "
                                      "argument, gives no words for it, so the sum is 0; split(b' ') gives [b'\\n'].")
                if got != want:
                    raise CheckFailed(f"{line.decode()!r} got {got!r}, expected {want!r}. "
                                      "Hint: sum(int(word) for word in line.split()).")
            requirement("error-line")
            got = await site.ask(stream, b"1 two 3\n", what="'1 two 3'")
            if not got.startswith("error: "):
                raise CheckFailed(f"'1 two 3' got {got!r}; expected a line starting with 'error: '. "
                                  "Hint: catch ValueError and answer with an error line.")
            requirement("keeps-reading")
            got = await site.ask(stream, b"4 4\n", what="a good line after a bad one",
                                 hint="Hint: keep reading after an error: put the try/except ValueError around "
                                      "the sum only, inside the loop, so the loop goes on.")
            if got != "8":
                raise CheckFailed(f"after a bad line, '4 4' got {got!r}, expected '8': keep reading after an error.")
            requirement("long-line")
            long_ok = b" ".join([b"1"] * 45) + b"\n"  # 90 bytes: under the limit
            got = await site.ask(stream, long_ok, what="a line of 90 bytes",
                                 hint="Only lines longer than 100 bytes close the connection.")
            if got != "45":
                raise CheckFailed(f"a line of 90 bytes, 45 ones, got {got!r}, expected '45'.")
            await stream.write(b"9" * 200 + b"\n")
            if not await _closed_by_server(stream):
                raise CheckFailed("a 200-byte line did not close the connection. "
                                  "Hint: read_until(b\"\\n\", max_bytes=100).")
            requirement("own-connection")
            got = await site.ask(other, b"2 2\n", what="'2 2' from another client")
            if got != "4":
                raise CheckFailed(f"another client's '2 2' got {got!r} after the long line, expected '4'.")
        finally:
            stream.close()
            other.close()
        await asyncio.sleep(0.1)
        site.raise_learner_error()
    return ("sums answered, a bad line got an error and the next line an answer, a 90-byte line an answer, "
            "and a 200-byte line closed only its own connection")
