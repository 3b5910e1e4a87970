"""A bounded record of the requests a server saw: the last N answered, those in progress, counts.

It is fed three ways: by hooks on an ``Application`` in this kernel (:func:`attach`), by the JSON
lines a server process writes (:func:`write_events`, read back with :meth:`RequestLog.read_events`),
or by Tornado's access lines in a process's log (:meth:`RequestLog.read_access_lines`). Example::

    from labsupport.watch.request_log import RequestLog, attach
    log = RequestLog(limit=100)
    detach = attach(app, log)      # app: a tornado.web.Application served in this kernel
    ...                            # requests arrive
    log.summary_counts()           # [((200, 'GET', '/'), 3), ((404, 'GET', '/missing'), 1)]
    detach()                       # the app's own methods are back
"""

from __future__ import annotations

import collections
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import tornado.web

__all__ = ["GROUPS", "RequestLog", "SeenRequest", "attach", "write_events"]

GROUPS = 12  # distinct (status, method, path) counted one by one; the rest are counted together
_ACCESS = re.compile(r"(?P<status>\d{3}) (?P<method>[A-Z]+) (?P<path>\S+) \([^)]*\) (?P<ms>[\d.]+)ms")


@dataclass
class SeenRequest:
    """One request: ``start`` and ``end`` are ``time.time()`` values; ``status`` is None until answered."""

    method: str
    path: str
    start: float
    end: float | None = None
    status: int | None = None
    key: object = field(default=None, repr=False, compare=False)

    @property
    def duration(self) -> float | None:
        """Seconds from the headers' arrival to the answer, or None while in progress."""
        return None if self.end is None else self.end - self.start


class RequestLog:
    """The last ``limit`` answered requests, the ones in progress, and counts that never forget."""

    def __init__(self, *, limit: int = 200) -> None:
        if not isinstance(limit, int) or limit < 1:
            raise ValueError(f"limit must be a positive int, not {limit!r}")
        self.answered: collections.deque[SeenRequest] = collections.deque(maxlen=limit)
        self.in_progress: dict[object, SeenRequest] = {}
        self.total = 0
        self.counts: collections.Counter[tuple] = collections.Counter()  # (status, method, path) -> n
        self.version = 0  # goes up at every change, so a view redraws only when needed
        self.complete = True  # False when arrivals are unknown (only access lines were read)
        self._offset = 0
        self._ids = itertools.count()

    def started(self, key: object, method: str, path: str, at: float | None = None) -> None:
        """Called when a request's headers arrive."""
        self.in_progress[key] = SeenRequest(method, path, time.time() if at is None else at, key=key)
        self.version += 1

    def finished(self, key: object, status: int | None, *, duration: float | None = None,
                 at: float | None = None, method: str = "?", path: str = "?") -> None:
        """Called when the answer is sent (``status`` None: the client left first)."""
        end = time.time() if at is None else at
        seen = self.in_progress.pop(key, None)
        if seen is None:  # its arrival was not seen (watching began later, or access lines)
            seen = SeenRequest(method, path, end - (duration or 0.0))
        elif duration is not None:
            seen.start = end - duration
        seen.end, seen.status, seen.key = end, status, None
        self.answered.append(seen)
        self.total += 1
        group = (status, seen.method, seen.path)
        if group not in self.counts and len(self.counts) >= GROUPS:
            group = (status, seen.method, "…")
        self.counts[group] += 1
        self.version += 1

    def summary_counts(self) -> list[tuple[tuple, int]]:
        """``[((status, method, path), count), ...]`` in the order first seen."""
        return list(self.counts.items())

    def read_events(self, path, *, on_block: Callable[[dict], None] | None = None) -> None:
        """Read the JSON lines a server process appended since the last call (see :func:`write_events`).

        A line ``{"e": "block", ...}`` (a loop watchdog's report in that process) goes to ``on_block``.
        """
        try:
            with open(path, "rb") as events:
                events.seek(self._offset)
                data = events.read()
        except FileNotFoundError:
            return
        end = data.rfind(b"\n") + 1  # a line still being written waits for the next call
        self._offset += end
        for line in data[:end].splitlines():
            try:
                event = json.loads(line)
                if event["e"] == "start":
                    self.started(event["id"], event["m"], event["p"], at=event["t"])
                elif event["e"] == "end":
                    self.finished(event["id"], event["s"], duration=event["d"], at=event["t"])
                elif event["e"] == "block" and on_block is not None:
                    on_block(event["report"])
            except (ValueError, KeyError, TypeError):  # not ours: skip it
                continue

    def read_access_lines(self, text: str) -> None:
        """Count Tornado's access lines (``200 GET /path (127.0.0.1) 1.23ms``) not read before."""
        self.complete = False
        new, self._offset = text[self._offset:], len(text)
        for match in _ACCESS.finditer(new):
            self.finished(next(self._ids), int(match["status"]), duration=float(match["ms"]) / 1000,
                          method=match["method"], path=match["path"].partition("?")[0])

    def forget_closed(self) -> None:
        """Count requests whose client left, and whose handler never answered, as answered with None."""
        for key, seen in list(self.in_progress.items()):
            connection = getattr(key, "connection", None)
            stream = getattr(connection, "stream", None)
            if stream is not None and stream.closed():
                self.finished(key, None)


def attach(app: tornado.web.Application, log: RequestLog) -> Callable[[], None]:
    """Record ``app``'s requests in ``log``; return a function that puts the app's methods back.

    Arrival: ``Application.find_handler``, which Tornado calls when a request's headers have
    arrived (``routing._RoutingDelegate.headers_received``); answer: ``Application.log_request``,
    which ``RequestHandler.finish`` calls after sending (websockets: at the 101). Both are
    wrapped on the instance, so the learner's class is left alone.
    """
    find_handler, log_request = app.find_handler, app.log_request

    def recording_find_handler(request, **kwargs):
        log.started(request, request.method or "?", request.path)
        return find_handler(request, **kwargs)

    def recording_log_request(handler):
        try:
            log_request(handler)
        finally:
            log.finished(handler.request, handler.get_status(), duration=handler.request.request_time(),
                         method=handler.request.method or "?", path=handler.request.path)

    app.find_handler, app.log_request = recording_find_handler, recording_log_request  # type: ignore[method-assign]

    def detach() -> None:
        if app.find_handler is recording_find_handler:
            del app.find_handler
        if app.log_request is recording_log_request:
            del app.log_request

    return detach


def write_events(app: tornado.web.Application, path: str) -> Callable[[], None]:
    """Append a JSON line to ``path`` when a request of ``app`` arrives and when it is answered.

    A server process runs this (``labsupport.servers.run_app``) so the kernel can watch it.
    """
    events = open(path, "a", buffering=1, encoding="utf-8")
    ids: dict[int, int] = {}
    counter = itertools.count()

    class _Writer(RequestLog):
        def started(self, key, method, path, at=None):
            ids[id(key)] = number = next(counter)
            events.write(json.dumps({"e": "start", "id": number, "m": method, "p": path, "t": time.time()}) + "\n")

        def finished(self, key, status, *, duration=None, at=None, method="?", path="?"):
            number = ids.pop(id(key), None)
            if number is not None:
                events.write(json.dumps({"e": "end", "id": number, "s": status, "d": key.request_time(),
                                         "t": time.time()}) + "\n")

    detach = attach(app, _Writer())

    def stop() -> None:
        detach()
        events.close()

    return stop
