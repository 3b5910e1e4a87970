"""Tests for labsupport.watch.request_log: the bounded record, events from a process, access lines."""

from __future__ import annotations

import json

import pytest

from labsupport.watch.request_log import RequestLog


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
