"""Tests for labsupport.watch.request_log: the bounded record, events from a process, access lines."""

from __future__ import annotations

import asyncio
import json

import pytest
import tornado.web
from tornado.httpclient import AsyncHTTPClient

import labsupport
from labsupport.watch.request_log import RequestLog, attach, write_events

from ..conftest import run


def test_a_line_still_being_written_waits_for_the_next_read(tmp_path):
    events = tmp_path / "events"
    start = json.dumps({"e": "start", "id": 1, "m": "GET", "p": "/", "t": 100.0})
    end = json.dumps({"e": "end", "id": 1, "s": 200, "d": 0.25, "t": 100.25})
    events.write_text(start + "\n" + end[:10])
    log = RequestLog()
    log.read_events(events)
    assert list(log.in_progress) == [1] and log.total == 0
    with events.open("a") as file:
        file.write(end[10:] + "\nnot json\n")
    log.read_events(events)
    assert log.in_progress == {} and log.total == 1
    assert log.answered[0].duration == pytest.approx(0.25) and log.answered[0].status == 200


def test_block_events_go_to_their_callback(tmp_path):
    events = tmp_path / "events"
    events.write_text(json.dumps({"e": "block", "report": {"duration": 0.3}}) + "\n")
    seen = []
    RequestLog().read_events(events, on_block=seen.append)
    assert seen == [{"duration": 0.3}]


def test_access_lines_are_counted_once_each():
    log = RequestLog()
    text = ("[I 261202 10:00:00 web:2400] 200 GET / (127.0.0.1) 1.50ms\n"
            "[W 261202 10:00:01 web:2400] 404 GET /missing?x=1 (127.0.0.1) 0.40ms\n")
    log.read_access_lines(text)
    log.read_access_lines(text + "[I 261202 10:00:02 web:2400] 201 POST /notes (::1) 3.00ms\n")
    assert log.summary_counts() == [((200, "GET", "/"), 1), ((404, "GET", "/missing"), 1),
                                    ((201, "POST", "/notes"), 1)]
    assert not log.complete  # arrivals are not in an access line


def test_limit_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        RequestLog(limit=0)


# --- real requests to a real app ----------------------------------------------------------------

class SlowHandler(tornado.web.RequestHandler):
    async def get(self) -> None:
        await asyncio.sleep(0.8)  # long after the client has gone (and after a sweep, every 0.5 s)
        self.write("late")


class HelloHandler(tornado.web.RequestHandler):
    def get(self) -> None:
        self.write("hi")


def app() -> tornado.web.Application:
    return tornado.web.Application([(r"/slow", SlowHandler), (r"/", HelloHandler)])


async def leave_early(port: int, path: str = "/slow") -> None:
    """Send a request and hang up before the answer."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    await writer.drain()
    await asyncio.sleep(0.1)
    writer.close()
    await writer.wait_closed()


def test_a_request_whose_client_left_is_no_answer_until_its_handler_finishes_and_counted_once():
    async def scenario():
        log, served = RequestLog(), app()
        attach(served, log)
        server = labsupport.serve(served)
        try:
            await leave_early(server.port)
            await asyncio.sleep(0.05)
            log.forget_closed()  # what the live view does every 0.25 s
            left = (log.total, log.summary_counts(), log.in_progress)
            await asyncio.sleep(0.9)  # the handler finishes on the closed stream; Tornado logs its 200
            return left, (log.total, log.summary_counts())
        finally:
            server.stop()
    assert run(scenario()) == ((1, [((None, "GET", "/slow"), 1)], {}), (1, [((200, "GET", "/slow"), 1)]))


def test_a_late_answer_moves_a_no_answer_to_its_status():
    log = RequestLog()
    log.started(7, "GET", "/slow", at=10.0)
    log.finished(7, None, at=10.1)
    log.finished(7, 200, at=10.4)
    assert (log.total, log.summary_counts()) == (1, [((200, "GET", "/slow"), 1)])
    assert log.answered[0].status == 200


def test_a_watched_server_counts_only_its_own_requests_when_two_servers_share_the_app():
    async def scenario():
        shared = app()
        watched, other = labsupport.serve(shared, name="watched"), labsupport.serve(shared, name="other")
        try:
            view = watched.watch()
            client = AsyncHTTPClient()
            await client.fetch(other.url)
            await client.fetch(watched.url)
            return view.log.summary_counts()
        finally:
            watched.stop()
            other.stop()
    assert run(scenario()) == [((200, "GET", "/"), 1)]


def test_detaching_in_any_order_leaves_the_other_log_recording_and_then_the_app_as_it_was():
    async def scenario():
        served = app()
        inner, outer = RequestLog(), RequestLog()
        detach_inner = attach(served, inner)
        detach_outer = attach(served, outer)
        server = labsupport.serve(served)
        try:
            client = AsyncHTTPClient()
            await client.fetch(server.url)
            detach_inner()  # the first one attached goes first: the outer wrapper still calls through it
            await client.fetch(server.url)
            detach_outer()
            await client.fetch(server.url)
            return inner.total, outer.total, set(served.__dict__) & {"find_handler", "log_request"}
        finally:
            server.stop()
    assert run(scenario()) == (1, 2, set())


def test_a_process_ends_a_request_whose_client_left_and_corrects_it_when_its_handler_finishes(tmp_path):
    events = tmp_path / "events"

    async def scenario():
        served = app()
        stop = write_events(served, str(events))
        server = labsupport.serve(served)
        try:
            await leave_early(server.port)
            await asyncio.sleep(1.2)  # the sweep (every 0.5 s), then the handler finishes
        finally:
            server.stop()
            stop()
    run(scenario())
    lines = [json.loads(line) for line in events.read_text().splitlines()]
    assert [(e["e"], e.get("s")) for e in lines] == [("start", None), ("end", None), ("end", 200)]
    assert len({e["id"] for e in lines}) == 1
    log = RequestLog()
    log.read_events(events)
    assert (log.total, log.summary_counts(), log.in_progress) == (1, [((200, "GET", "/slow"), 1)], {})
