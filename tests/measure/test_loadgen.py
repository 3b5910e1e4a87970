"""Tests for labsupport.measure.loadgen: counts, concurrency, keep-alive, framing, limits and refusals."""

from __future__ import annotations

import asyncio
import socket

import pytest
import tornado.web

import labsupport
from labsupport.measure import http11
from labsupport.measure.loadgen import (LoadError, LoadResult, LoadTargetError, NotListeningError,
                             RequestRecord, load, sweep)

from ..conftest import run


class CountingHandler(tornado.web.RequestHandler):
    """Sleeps ``pause`` s; records the most requests in flight and each client address (connection)."""

    async def get(self) -> None:
        stats = self.settings["stats"]
        stats["connections"].add(self.request.connection.context.address)
        stats["now"] += 1
        stats["max"] = max(stats["max"], stats["now"])
        try:
            await asyncio.sleep(self.settings["pause"])
        finally:
            stats["now"] -= 1
        if self.get_argument("close", None):
            self.set_header("Connection", "close")
        self.write("Hello, world")

    def post(self) -> None:
        self.set_status(201 if self.request.body == b"hi" else 400)

    def put(self) -> None:  # 200 only when the extra headers arrived as sent
        ok = self.request.headers.get("Cookie") == "user=ada" and self.request.headers.get("X-Lab") == "1"
        self.set_status(200 if ok else 400)


class ChunkedHandler(tornado.web.RequestHandler):
    async def get(self) -> None:
        self.settings["stats"]["connections"].add(self.request.connection.context.address)
        for part in ("one ", "two ", "three"):
            self.write(part * 100)
            await self.flush()  # flushing before finish() makes Tornado send chunks


class NoContentHandler(tornado.web.RequestHandler):
    def get(self) -> None:
        self.settings["stats"]["connections"].add(self.request.connection.context.address)
        self.set_status(204)


def serve_counting(pause: float = 0.0):
    stats = {"now": 0, "max": 0, "connections": set()}
    app = tornado.web.Application([(r"/", CountingHandler), (r"/chunked", ChunkedHandler),
                                   (r"/empty", NoContentHandler)], stats=stats, pause=pause)
    return labsupport.serve(app, name="load-test"), stats


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_sends_exactly_the_requests_asked_for_and_records_each():
    async def scenario():
        server, _ = serve_counting()
        result = await load(server.url, requests=25, concurrency=4)
        assert isinstance(result, LoadResult) and len(result) == 25
        assert [r.index for r in result] == list(range(25))
        assert result.statuses == {200: 25} and result.ok == 25 and result.errors == 0
        assert all(r.start <= r.end for r in result) and len(result.latencies) == 25
        assert result.summary().startswith("25 requests: 25 ok, 0 errors, wall ")
    run(scenario())


def test_at_most_concurrency_requests_are_in_flight():
    async def scenario():
        server, stats = serve_counting(pause=0.1)
        result = await load(server.url, requests=20, concurrency=5)
        assert result.ok == 20
        assert stats["max"] == 5
        assert 0.4 <= result.wall < 0.8  # four rounds of five; serial would take 2 s
    run(scenario())


def test_each_worker_reuses_one_keep_alive_connection():
    async def scenario():
        server, stats = serve_counting()
        result = await load(server.url, requests=30, concurrency=3)
        assert result.ok == 30
        assert len(stats["connections"]) == 3
    run(scenario())


def test_connection_close_from_the_server_makes_it_reconnect():
    async def scenario():
        server, stats = serve_counting()
        result = await load(server.url + "?close=1", requests=6, concurrency=2)
        assert result.ok == 6
        assert len(stats["connections"]) == 6
    run(scenario())


def test_chunked_and_empty_bodies_are_framed_so_the_connection_stays_usable():
    async def scenario():
        server, stats = serve_counting()
        chunked = await load(server.url + "chunked", requests=10, concurrency=2)
        empty = await load(server.url + "empty", requests=10, concurrency=2)
        assert chunked.statuses == {200: 10} and empty.statuses == {204: 10}
        assert len(stats["connections"]) == 4  # two per run: every response was read to its end
    run(scenario())


def test_post_sends_the_body_and_non_2xx_is_not_ok():
    async def scenario():
        server, _ = serve_counting()
        created = await load(server.url, requests=3, method="POST", body=b"hi")
        assert created.statuses == {201: 3} and created.ok == 3
        missing = await load(server.url + "nowhere", requests=3)
        assert missing.statuses == {404: 3} and missing.ok == 0 and missing.errors == 0
    run(scenario())


def test_extra_headers_are_sent_with_every_request():
    async def scenario():
        server, _ = serve_counting()
        sent = await load(server.url, requests=4, method="PUT", headers={"Cookie": "user=ada", "X-Lab": "1"})
        assert sent.statuses == {200: 4}
        plain = await load(server.url, requests=2, method="PUT")
        assert plain.statuses == {400: 2}
    run(scenario())


def test_slow_requests_are_recorded_as_timeouts():
    async def scenario():
        server, _ = serve_counting(pause=2.0)
        result = await load(server.url, requests=4, concurrency=2, timeout=0.2)
        assert [r.error for r in result] == ["timeout"] * 4 and result.ok == 0
        assert result.wall < 1.0  # two rounds of 0.2 s, not of 2 s
        assert "timeout x4" in result.summary()
    run(scenario())


def test_max_seconds_stops_the_run_and_records_what_was_not_sent():
    async def scenario():
        server, _ = serve_counting(pause=0.2)
        result = await load(server.url, requests=100, concurrency=2, max_seconds=0.5)
        assert len(result) == 100 and result.wall < 1.0
        assert 2 <= result.ok <= 4
        kinds = result.error_kinds
        assert kinds["not sent: max_seconds reached"] >= 90
        assert kinds.get("cut off: max_seconds reached", 0) <= 2
    run(scenario())


def test_nothing_listening_raises_a_clear_error():
    port = free_port()
    with pytest.raises(NotListeningError, match=f"Nothing listens on 127.0.0.1:{port}.*Start the server"):
        run(load(f"http://127.0.0.1:{port}/", requests=3))


def test_a_server_that_closes_mid_request_is_an_error_not_an_exception():
    async def scenario():
        async def hang_up(reader, writer):
            await reader.readuntil(b"\r\n\r\n")
            writer.close()
        raw = await asyncio.start_server(hang_up, "127.0.0.1", 0)
        port = raw.sockets[0].getsockname()[1]
        try:
            result = await load(f"http://127.0.0.1:{port}/", requests=3, concurrency=1)
        finally:
            raw.close()
        assert result.error_kinds == {"connection closed by server": 3}
    run(scenario())


def test_idle_close_and_a_body_without_length_are_handled():
    async def scenario():
        connections = 0

        async def one_answer(reader, writer):
            nonlocal connections
            connections += 1
            await reader.readuntil(b"\r\n\r\n")
            length = b"Content-Length: 5\r\n" if connections % 2 else b""  # odd: sized; even: to close
            writer.write(b"HTTP/1.1 200 OK\r\n" + length + b"\r\nhello")
            await writer.drain()
            writer.close()  # no "Connection: close" header: the client learns when it writes again
        raw = await asyncio.start_server(one_answer, "127.0.0.1", 0)
        port = raw.sockets[0].getsockname()[1]
        try:
            result = await load(f"http://127.0.0.1:{port}/", requests=6, concurrency=1)
        finally:
            raw.close()
        assert result.statuses == {200: 6} and result.errors == 0 and connections == 6
    run(scenario())


def test_a_body_without_length_is_read_until_the_server_closes():
    async def scenario():
        async def slow_body(reader, writer):
            await reader.readuntil(b"\r\n\r\n")
            writer.write(b"HTTP/1.0 200 OK\r\n\r\n")
            await asyncio.sleep(0.3)
            writer.write(b"the body comes late")
            await writer.drain()
            writer.close()
        raw = await asyncio.start_server(slow_body, "127.0.0.1", 0)
        port = raw.sockets[0].getsockname()[1]
        try:
            result = await load(f"http://127.0.0.1:{port}/", requests=2, concurrency=1)
        finally:
            raw.close()
        assert result.ok == 2 and min(result.latencies) >= 0.3
    run(scenario())


@pytest.mark.parametrize("url", ["http://example.com/", "http://10.0.0.1:8888/", "http://[2001:db8::1]/",
                                 "http://127.0.0.1.example.com/"])
def test_hosts_other_than_this_machine_are_refused(url):
    with pytest.raises(LoadTargetError, match="only ever targets this machine"):
        run(load(url, requests=1))


@pytest.mark.parametrize("url", ["http://localhost:1/", "http://[::1]:1/", "http://127.1.2.3:1/"])
def test_loopback_spellings_are_allowed(url):
    with pytest.raises(NotListeningError):  # allowed through, then nobody answers on port 1
        run(load(url, requests=1))


@pytest.mark.parametrize("kwargs, message", [
    ({"requests": 0}, "requests must be a whole number of at least 1"),
    ({"concurrency": 0}, "concurrency must be a whole number from 1 to 1000"),
    ({"concurrency": 1001}, "concurrency must be a whole number from 1 to 1000"),
    ({"timeout": 0}, "timeout must be a number of seconds greater than 0"),
    ({"max_seconds": -1}, "max_seconds must be"),
    ({"method": "get"}, "upper-case HTTP method"),
    ({"body": "text"}, "body must be bytes"),
    ({"headers": [("Cookie", "a=1")]}, "headers must be a dict"),
    ({"headers": {"Host": "example.org"}}, "not Host, Content-Length or Transfer-Encoding"),
    ({"headers": {"X-Evil": "1\r\nHost: example.org"}}, "one-line strings"),
])
def test_bad_options_get_a_clear_message(kwargs, message):
    with pytest.raises(LoadError, match=message):
        run(load("http://127.0.0.1:1/", **kwargs))


def test_https_urls_are_refused_with_a_hint():
    with pytest.raises(LoadError, match="must start with http://"):
        run(load("https://127.0.0.1:1/"))


def test_sweep_runs_one_load_per_level():
    async def scenario():
        server, stats = serve_counting(pause=0.05)
        points = await sweep(server.url, concurrencies=(1, 4), requests_per_level=8)
        assert list(points) == [1, 4] and all(p.ok == 8 for p in points.values())
        assert stats["max"] == 4
        assert points[4].throughput > 2 * points[1].throughput  # 4 waits overlap, 1 does not
    run(scenario())


def test_no_progress_output_outside_a_notebook(capsys):
    async def scenario():
        server, _ = serve_counting()
        await load(server.url, requests=5, progress=True)
    run(scenario())
    assert capsys.readouterr() == ("", "")


def result_of(*spans: tuple[float, float, int | None, str | None]) -> LoadResult:
    return LoadResult(RequestRecord(i, s, e, status, error) for i, (s, e, status, error) in enumerate(spans))


def test_result_figures():
    result = result_of((10.0, 10.1, 200, None), (10.0, 10.3, 200, None), (10.2, 10.4, 500, None),
                       (10.5, 11.0, None, "timeout"))
    assert result.wall == pytest.approx(1.0)
    assert (result.ok, result.errors) == (2, 1)
    assert result.throughput == pytest.approx(2.0)
    assert result.latencies == pytest.approx([0.1, 0.3])
    assert result.percentile(50) == pytest.approx(0.1) and result.percentile(100) == pytest.approx(0.3)
    assert result.statuses == {200: 2, 500: 1}
    assert repr(result) == "LoadResult(4 requests, 2 ok, 1 errors, wall 1.00 s, 2.0 req/s)"
    assert str(result) == repr(result)
    assert result.summary() == "4 requests: 2 ok, 1 errors, wall 1.0 s (timeout x1)"
    assert result.summary(digits=0) == "4 requests: 2 ok, 1 errors, wall 1 s (timeout x1)"


def test_percentile_needs_a_success_and_a_valid_p():
    with pytest.raises(LoadError, match="No request succeeded"):
        result_of((0.0, 1.0, None, "timeout")).percentile(50)
    with pytest.raises(LoadError, match="from 0 to 100"):
        result_of((0.0, 1.0, 200, None)).percentile(150)


def test_records_are_frozen():
    record = RequestRecord(0, 1.0, 2.0, 200, None)
    with pytest.raises(AttributeError):
        record.status = 500


# The HTTP/1.1 client under load() and c10k.hold(): labsupport.measure.http11.

async def canned(answer: bytes):
    """A raw server that reads one request head, writes ``answer`` and keeps the connection open;
    returns (the server, its Target, the request heads it got)."""
    heads: list[bytes] = []

    async def reply(reader, writer):
        heads.append(await reader.readuntil(b"\r\n\r\n"))
        writer.write(answer)
        await writer.drain()
        await reader.read()  # until the client hangs up

    raw = await asyncio.start_server(reply, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{raw.sockets[0].getsockname()[1]}/"
    return raw, http11.loopback_target(url, caller="test"), heads


async def one_response(answer: bytes, method: str = "GET") -> http11.Response:
    """What read_response() makes of ``answer``; TimeoutError if it waits for more than was sent."""
    raw, target, _ = await canned(answer)
    stream = await http11.connect(target)
    try:
        await stream.write(http11.format_request(method, target))
        return await asyncio.wait_for(http11.read_response(stream, method=method), 2)
    finally:
        stream.close()
        raw.close()


def test_chunks_with_extensions_and_trailers_are_read_to_the_end():
    answer = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
              b"5;name=value\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: 1\r\n\r\n")
    response = run(one_response(answer))
    assert (response.status, response.body, response.keep_alive) == (200, b"hello, world", True)


def test_a_head_answer_has_no_body_even_with_a_length():
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
    response = run(one_response(head, method="HEAD"))  # returns without waiting for 5 bytes
    assert (response.status, response.body, response.headers["content-length"]) == (200, b"", "5")
    with pytest.raises(TimeoutError):  # a GET does wait for them
        run(one_response(head))
    assert run(one_response(head + b"hello")).body == b"hello"


@pytest.mark.parametrize("answer, keep", [
    (b"HTTP/1.1 204 No Content\r\n\r\n", True),
    (b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n", False),
    (b"HTTP/1.0 204 No Content\r\n\r\n", False),
    (b"HTTP/1.0 204 No Content\r\nConnection: Keep-Alive\r\n\r\n", True),
])
def test_keep_alive_follows_the_version_and_the_connection_header(answer, keep):
    response = run(one_response(answer))
    assert (response.status, response.keep_alive) == (204, keep)


@pytest.mark.parametrize("answer, problem", [
    (b"HTP/1.1 200 OK\r\n\r\n", "Error parsing response start line"),
    (b"HTTP/2 200 OK\r\n\r\n", "Error parsing response start line"),
    (b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "no colon in header line"),
    (b"HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\n\r\n", "folding not supported"),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello", "invalid Content-Length"),
    (b"HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n", "invalid Content-Length"),
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "invalid chunk size"),
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n", "does not end with CRLF"),
])
def test_a_malformed_response_is_recorded_as_a_bad_response(answer, problem):
    async def scenario():
        raw, target, _ = await canned(answer)
        try:
            return await load(f"http://{target.host_header}/", requests=2, concurrency=1, timeout=2)
        finally:
            raw.close()
    result = run(scenario())
    assert [r.status for r in result] == [None, None]
    assert all(r.error.startswith("bad response: ") and problem in r.error for r in result), result.error_kinds


def test_the_request_carries_the_path_query_host_and_extra_headers():
    async def scenario():
        raw, target, heads = await canned(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        try:
            url = f"http://ada:secret@{target.host_header}/a/b?c=1"
            await load(url, requests=1, method="POST", body=b"hi", headers={"X-Lab": "1"})
        finally:
            raw.close()
        return target, heads
    target, heads = run(scenario())
    assert heads == [f"POST /a/b?c=1 HTTP/1.1\r\nHost: {target.host_header}\r\nUser-Agent: labsupport-load\r\n"
                     f"X-Lab: 1\r\nContent-Length: 2\r\n\r\n".encode()]  # no "ada:secret@" in Host


@pytest.mark.parametrize("url", ["http://127.0.0.1:0/", "http://127.0.0.1:99999/", "http://127.0.0.1:x/"])
def test_a_port_that_is_no_port_is_refused(url):
    with pytest.raises(LoadError, match="is not a number from 1 to 65535"):
        run(load(url, requests=1))


def test_failures_get_one_short_name_each():
    from tornado.iostream import StreamClosedError

    assert http11.describe_failure(StreamClosedError()) == "connection closed by server"
    assert http11.describe_failure(StreamClosedError(real_error=ConnectionResetError())) == \
        "connection reset by server"
    assert http11.describe_failure(ConnectionRefusedError()) == http11.REFUSED == "connection refused"
    assert http11.describe_failure(TimeoutError()) == "timeout"
    assert http11.describe_failure(RuntimeError("x" * 500)) == ("RuntimeError: " + "x" * 500)[:100]
