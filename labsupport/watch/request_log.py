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
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

import tornado.ioloop
import tornado.web

__all__ = ["GROUPS", "RequestLog", "SeenRequest", "attach", "client_left", "write_events"]

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
        # Requests counted as "no answer" because their client left: if the handler finishes
        # later, its record is corrected instead of counted again. Weak where the key allows it
        # (a request object), else the last few hundred keys (numbers from a server process).
        self._left_weak: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._left_keys: collections.OrderedDict = collections.OrderedDict()

    def started(self, key: object, method: str, path: str, at: float | None = None) -> None:
        """Called when a request's headers arrive."""
        self.in_progress[key] = SeenRequest(method, path, time.time() if at is None else at, key=key)
        self.version += 1

    def finished(self, key: object, status: int | None, *, duration: float | None = None,
                 at: float | None = None, method: str = "?", path: str = "?") -> None:
        """Called when the answer is sent (``status`` None: the client left first)."""
        end = time.time() if at is None else at
        seen = self.in_progress.pop(key, None)
        if seen is None:
            earlier = self._pop_left(key)
            if earlier is not None:  # counted as "no answer" when its client left; answered after all?
                if status is not None:
                    self._move(earlier, status, end)
                return
        if status is None:
            self._remember_left(key, seen)
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

    def _remember_left(self, key: object, seen: SeenRequest | None) -> None:
        if seen is None or key is None:
            return
        try:
            self._left_weak[key] = seen
        except TypeError:  # a number, not an object: keep the last few
            self._left_keys[key] = seen
            while len(self._left_keys) > 256:
                self._left_keys.popitem(last=False)

    def _pop_left(self, key: object) -> SeenRequest | None:
        try:
            seen = self._left_weak.pop(key, None)
        except TypeError:
            seen = None
        return seen if seen is not None else self._left_keys.pop(key, None)

    def _move(self, seen: SeenRequest, status: int, end: float) -> None:
        """A request counted as "no answer" was answered after all: count it under its status."""
        left = next((g for g in ((None, seen.method, seen.path), (None, seen.method, "…")) if self.counts[g]), None)
        if left is not None:
            self.counts[left] -= 1
            if not self.counts[left]:
                del self.counts[left]
        group = (status, seen.method, seen.path)
        if group not in self.counts and len(self.counts) >= GROUPS:
            group = (status, seen.method, "…")
        self.counts[group] += 1
        seen.status, seen.end = status, end
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


def client_left(request) -> bool:
    """True when the client of ``request`` closed its connection (a websocket's, once detached, never)."""
    stream = getattr(getattr(request, "connection", None), "stream", None)
    return stream is not None and stream.closed()


_MISSING = object()


def attach(app: tornado.web.Application, log: RequestLog, *,
           accept: Callable[[object], bool] | None = None) -> Callable[[], None]:
    """Record ``app``'s requests in ``log``; return a function that puts the app's methods back.

    Arrival: ``Application.find_handler``, which Tornado calls when a request's headers have
    arrived (``routing._RoutingDelegate.headers_received``); answer: ``Application.log_request``,
    which ``RequestHandler.finish`` calls after sending (websockets: at the 101). Both are
    wrapped on the instance, so the learner's class is left alone. A request whose client left
    counts as no answer (None) once :meth:`RequestLog.forget_closed` has seen it; if its handler
    finishes later (Tornado finishes it on the closed stream, and logs its status), it moves to
    that status, as in Tornado's access log, and is still counted once. ``accept(request)`` picks the requests to record, e.g. those of one server when two
    servers share the app. Requests Tornado answers before routing (a malformed request line,
    a body over ``max_body_size``) are not seen at all.
    """
    previous = {name: app.__dict__.get(name, _MISSING) for name in ("find_handler", "log_request")}
    find_handler, log_request = app.find_handler, app.log_request
    recording = True

    def recording_find_handler(request, **kwargs):
        if recording and (accept is None or accept(request)):
            log.started(request, request.method or "?", request.path)
        return find_handler(request, **kwargs)

    def recording_log_request(handler):
        try:
            log_request(handler)
        finally:
            request = handler.request
            if recording and (accept is None or accept(request) or request in log.in_progress):
                log.finished(request, handler.get_status(), duration=request.request_time(),
                             method=request.method or "?", path=request.path)

    for name, wrapper in (("find_handler", recording_find_handler), ("log_request", recording_log_request)):
        wrapper._labsupport_previous = previous[name]  # type: ignore[attr-defined]
        wrapper._labsupport_detached = False  # type: ignore[attr-defined]
        setattr(app, name, wrapper)

    def detach() -> None:
        nonlocal recording
        recording = False  # if another wrapper sits on top of ours, ours now only passes calls on
        for name, ours in (("find_handler", recording_find_handler), ("log_request", recording_log_request)):
            ours._labsupport_detached = True  # type: ignore[attr-defined]
            if app.__dict__.get(name) is not ours:
                continue
            below = ours._labsupport_previous  # type: ignore[attr-defined]
            while getattr(below, "_labsupport_detached", False):  # detached earlier, under ours
                below = below._labsupport_previous
            if below is _MISSING:
                del app.__dict__[name]
            else:
                setattr(app, name, below)

    return detach


def write_events(app: tornado.web.Application, path: str) -> Callable[[], None]:
    """Append a JSON line to ``path`` when a request of ``app`` arrives and when it is answered.

    A server process runs this (``labsupport.servers.run_app``) so the kernel can watch it.
    """
    events = open(path, "a", buffering=1, encoding="utf-8")
    ids: dict[object, int] = {}  # the requests in progress (each held only until it ends or its client leaves)
    left: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # ended as "no answer" by the sweep
    counter = itertools.count()

    def end(request, status) -> None:
        number = ids.pop(request, None)
        if number is None and status is not None:  # its handler finished after the sweep: RequestLog moves it
            number = left.pop(request, None)
        elif number is not None and status is None:
            left[request] = number
        if number is not None:
            events.write(json.dumps({"e": "end", "id": number, "s": status, "d": request.request_time(),
                                     "t": time.time()}) + "\n")

    class _Writer(RequestLog):
        def started(self, key, method, path, at=None):
            ids[key] = number = next(counter)
            events.write(json.dumps({"e": "start", "id": number, "m": method, "p": path, "t": time.time()}) + "\n")

        def finished(self, key, status, *, duration=None, at=None, method="?", path="?"):
            end(key, status)

    def sweep() -> None:
        for request in [r for r in ids if client_left(r)]:
            end(request, None)

    detach = attach(app, _Writer())
    sweeper = tornado.ioloop.PeriodicCallback(sweep, 500)
    sweeper.start()

    def stop() -> None:
        sweeper.stop()
        detach()
        events.close()

    return stop
