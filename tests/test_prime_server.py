"""Tests for notebooks/prime_server.py, lesson 05's line protocol: answers, bad input, hang-ups."""

from __future__ import annotations

import asyncio
import logging
import sys

import pytest
from tornado.iostream import StreamClosedError
from tornado.tcpclient import TCPClient

import labsupport

from .conftest import ROOT, run

sys.path.insert(0, str(ROOT / "notebooks"))
import prime_server  # noqa: E402
from prime_server import PrimeServer  # noqa: E402


async def connect(port: int):
    return await TCPClient().connect("127.0.0.1", port, timeout=2)


async def ask(stream, line: bytes) -> str:
    await stream.write(line + b"\n")
    return (await asyncio.wait_for(stream.read_until(b"\n"), 5)).decode().rstrip("\n")


@pytest.fixture
def errors_logged(caplog):
    """Everything Tornado or asyncio logged at ERROR or above during the test."""
    caplog.set_level(logging.INFO)
    yield lambda: [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("line, answer", [
    (b"2", "2 is prime"), (b"7", "7 is prime"), (b"91", "91 is not prime"), (b"1", "1 is not prime"),
    (b"0", "0 is not prime"), (b"-7", "-7 is not prime"), (b"  13 ", "13 is prime"),
    (b"999999999989", "999999999989 is prime"), (b"1000000000000", "1000000000000 is not prime"),
])
def test_integers_get_an_answer(line, answer):
    async def scenario():
        server = labsupport.serve(PrimeServer())
        stream = await connect(server.port)
        assert await ask(stream, line) == answer
        stream.close()
    run(scenario())


@pytest.mark.parametrize("line, error", [
    (b"hello", "error: not an integer: 'hello'"),
    (b"", "error: empty line: send one integer per line"),
    (b"3.5", "error: not an integer: '3.5'"),
    (b"1000000000001", "error: too large: the limit is 1000000000000"),
    (b"-1000000000001", "error: too large: the limit is 1000000000000"),
    (b"\xff\xfe", "error: not an integer: '\ufffd\ufffd'"),
])
def test_bad_lines_get_an_error_line_and_the_connection_goes_on(line, error, errors_logged):
    async def scenario():
        prime = PrimeServer()
        server = labsupport.serve(prime)
        stream = await connect(server.port)
        assert await ask(stream, line) == error
        assert await ask(stream, b"5") == "5 is prime"  # same connection, still served
        stream.close()
        assert prime.stats["errors"] == 1 and prime.stats["answers"] == 1
    run(scenario())
    assert errors_logged() == []


def test_an_over_long_line_closes_only_that_connection(errors_logged):
    async def scenario():
        prime = PrimeServer()
        server = labsupport.serve(prime)
        other = await connect(server.port)
        stream = await connect(server.port)
        await stream.write(b"1" * (prime_server.MAX_LINE + 10) + b"\n")
        with pytest.raises(StreamClosedError):
            await asyncio.wait_for(stream.read_until(b"\n"), 5)
        assert await ask(other, b"11") == "11 is prime"
        other.close()
        assert prime.stats["closed: line too long"] == 1
    run(scenario())
    assert errors_logged() == []


def test_a_line_of_exactly_the_limit_is_still_answered():
    async def scenario():
        server = labsupport.serve(PrimeServer())
        stream = await connect(server.port)
        padded = b" " * (prime_server.MAX_LINE - 3) + b"7"  # with the newline: MAX_LINE bytes
        assert await ask(stream, padded) == "7 is prime"
        stream.close()
    run(scenario())


@pytest.mark.parametrize("how", ["mid-line", "before-the-answer"])
def test_a_client_that_hangs_up_leaves_no_error(how, errors_logged):
    async def scenario():
        prime = PrimeServer()
        server = labsupport.serve(prime)
        stream = await connect(server.port)
        await stream.write(b"12345" if how == "mid-line" else b"999999999989\n")
        stream.close()
        for _ in range(50):
            if prime.stats["closed by client"]:
                break
            await asyncio.sleep(0.05)
        assert prime.stats["closed by client"] == 1
        other = await connect(server.port)
        assert await ask(other, b"3") == "3 is prime"
        other.close()
    run(scenario())
    assert errors_logged() == []


def test_a_silent_client_is_hung_up_on_after_the_idle_timeout(monkeypatch):
    monkeypatch.setattr(prime_server, "IDLE_TIMEOUT", 0.3)

    async def scenario():
        prime = PrimeServer()
        server = labsupport.serve(prime)
        stream = await connect(server.port)
        await asyncio.wait_for(stream.read_until_close(), 5)  # returns once the server hangs up
        assert prime.stats["idle timeout"] == 1
    run(scenario())


def test_many_clients_at_once_each_get_their_own_answers():
    async def client(port: int, numbers: range) -> list[str]:
        stream = await connect(port)
        try:
            return [await ask(stream, str(n).encode()) for n in numbers]
        finally:
            stream.close()

    async def scenario():
        server = labsupport.serve(PrimeServer())
        results = await asyncio.gather(*(client(server.port, range(i * 10, i * 10 + 10)) for i in range(50)))
        for i, answers in enumerate(results):
            expected = [f"{n} is {'prime' if prime_server.is_prime(n) else 'not prime'}" for n in range(i * 10, i * 10 + 10)]
            assert answers == expected
    run(scenario())


def test_is_prime_agrees_with_a_sieve():
    limit = 2000
    sieve = [True] * limit
    sieve[0] = sieve[1] = False
    for n in range(2, limit):
        if sieve[n]:
            for multiple in range(n * n, limit, n):
                sieve[multiple] = False
    assert [n for n in range(limit) if prime_server.is_prime(n)] == [n for n in range(limit) if sieve[n]]
