"""Send many HTTP requests to a server on this machine, a few at a time, and time each one.

Example (a notebook cell; top-level ``await`` works there)::

    import labsupport
    slow = labsupport.serve_process("labsupport.demos.apps:make_sleep_app", settings={"seconds": 0.5})
    result = await labsupport.load(slow.url + "async", requests=20, concurrency=20)
    print(result.summary())   # 20 requests: 20 ok, 0 errors, wall 0.5 s

The requests go over :mod:`labsupport.measure.http11`, a small HTTP/1.1 client of our own on
Tornado's ``IOStream``; its docstring says why it is not httpx or ``AsyncHTTPClient``.
"""

from __future__ import annotations

import asyncio
import collections
import math
import time
from dataclasses import dataclass
from typing import Any

from tornado.iostream import IOStream, StreamClosedError
from tornado.tcpclient import TCPClient

from . import http11
from ..errors import LoadError, LoadTargetError, NotListeningError
from .options import check_count, check_seconds

__all__ = ["LoadError", "LoadResult", "LoadTargetError", "NotListeningError", "RequestRecord",
           "load", "sweep"]

_NOT_SENT = "not sent: max_seconds reached"
_CUT_OFF = "cut off: max_seconds reached"


@dataclass(frozen=True)
class RequestRecord:
    """One request: its ``index``, ``start``/``end`` (``time.perf_counter()`` s), ``status``, ``error``."""

    index: int
    start: float
    end: float
    status: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        """True for a complete 2xx response."""
        return self.error is None and self.status is not None and 200 <= self.status < 300


class LoadResult(list):
    """The :class:`RequestRecord` of every request of one :func:`load` run, in index order."""

    @property
    def wall(self) -> float:
        """Seconds from the first request's start to the last one's end."""
        return max(r.end for r in self) - min(r.start for r in self) if self else 0.0

    @property
    def ok(self) -> int:
        """How many requests got a complete 2xx response."""
        return sum(r.ok for r in self)

    @property
    def errors(self) -> int:
        """How many requests got no complete response (refused, timeout, not sent...)."""
        return sum(r.error is not None for r in self)

    @property
    def throughput(self) -> float:
        """Completed 2xx requests per second of wall time."""
        return self.ok / self.wall if self.wall > 0 else 0.0

    @property
    def latencies(self) -> list[float]:
        """Seconds from start to end of each 2xx request."""
        return [r.end - r.start for r in self if r.ok]

    @property
    def statuses(self) -> dict[int, int]:
        """How many responses came with each status code, e.g. ``{200: 20}``."""
        return dict(sorted(collections.Counter(r.status for r in self if r.status is not None).items()))

    @property
    def error_kinds(self) -> dict[str, int]:
        """How many requests failed with each error, e.g. ``{'timeout': 2}``."""
        return dict(collections.Counter(r.error for r in self if r.error is not None).most_common())

    def percentile(self, p: float) -> float:
        """The ``p``-th percentile (0-100, nearest rank) of the 2xx latencies, in seconds."""
        if not 0 <= p <= 100:
            raise LoadError(f"percentile() takes p from 0 to 100, e.g. 50 for the median, not {p!r}.")
        ordered = sorted(self.latencies)
        if not ordered:
            raise LoadError("No request succeeded, so there is no latency to take a percentile of.")
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]

    def summary(self, digits: int = 1) -> str:
        """Counts and the wall time rounded to ``digits`` decimals: stable enough to print in a lesson."""
        text = f"{len(self)} requests: {self.ok} ok, {self.errors} errors, wall {self.wall:.{digits}f} s"
        if self.errors:
            text += " (" + ", ".join(f"{kind} x{n}" for kind, n in self.error_kinds.items()) + ")"
        return text

    def __repr__(self) -> str:
        return (f"LoadResult({len(self)} requests, {self.ok} ok, {self.errors} errors, "
                f"wall {self.wall:.2f} s, {self.throughput:.1f} req/s)")


class _Run:
    """The shared state of one load run: the request bytes, the next index, the records."""

    def __init__(self, *, target: http11.Target, request: bytes, method: str, requests: int,
                 timeout: float, deadline: float, bar: Any) -> None:
        self.target, self.request, self.method = target, request, method
        self.total, self.timeout, self.deadline, self.bar = requests, timeout, deadline, bar
        self.next = 0
        self.records: list[RequestRecord | None] = [None] * requests
        self.loop = asyncio.get_running_loop()
        self.client = TCPClient()

    def record(self, index: int, start: float, status: int | None, error: str | None) -> None:
        self.records[index] = RequestRecord(index, start, time.perf_counter(), status, error)
        if self.bar is not None:
            self.bar.update(1)

    async def worker(self) -> None:
        """Send requests one after another over one connection until none are left."""
        stream: IOStream | None = None
        try:
            while self.next < self.total:
                index = self.next
                self.next += 1
                start = time.perf_counter()
                if self.loop.time() >= self.deadline:
                    self.record(index, start, None, _NOT_SENT)
                    continue
                stream, status, error = await self.send(stream)
                self.record(index, start, status, error)
        finally:
            if stream is not None:
                stream.close()

    async def send(self, stream: IOStream | None) -> tuple[IOStream | None, int | None, str | None]:
        """One request with its time limit; returns the stream to reuse (None: closed)."""
        cap = min(self.loop.time() + self.timeout, self.deadline)
        try:
            async with asyncio.timeout_at(cap):
                for retry in (stream is not None, False):
                    if stream is None:
                        stream = await http11.connect(self.target, client=self.client)
                    try:
                        status, keep = await self.exchange(stream)
                    except StreamClosedError:
                        stream.close()
                        stream = None
                        if retry:  # the server closed an idle keep-alive connection: reconnect once
                            continue
                        raise
                    if not keep:
                        stream.close()
                        stream = None
                    return stream, status, None
        except TimeoutError:
            error = "timeout" if cap < self.deadline else _CUT_OFF
        except Exception as exc:  # refused, reset, closed, a malformed or oversized response...
            error = http11.describe_failure(exc)
        if stream is not None:
            stream.close()
        return None, None, error

    async def exchange(self, stream: IOStream) -> tuple[int, bool]:
        """Write the request, read one whole response; return its status and keep-alive."""
        await stream.write(self.request)
        response = await http11.read_response(stream, method=self.method)
        return response.status, response.keep_alive


async def load(url: str, *, requests: int = 100, concurrency: int = 10, timeout: float = 10.0,
               method: str = "GET", body: bytes | None = None, headers: dict[str, str] | None = None,
               progress: bool = True, max_seconds: float = 60.0) -> LoadResult:
    """Send ``requests`` requests to ``url`` with at most ``concurrency`` in flight; time each one.

    Each of the ``concurrency`` workers keeps one connection open and sends its requests one
    after another on it. A request that takes longer than ``timeout`` seconds is recorded as
    an error ``"timeout"``; after ``max_seconds`` the run stops and what is left is recorded
    as ``"not sent: max_seconds reached"``. Failures are recorded, never raised, unless every
    connection was refused. Only this machine (127.0.0.1, ::1, localhost) can be the target:
    any other host raises :class:`LoadTargetError` before anything is sent.
    ``headers`` adds request headers, e.g. ``{"Cookie": "todo_user=..."}``.

    Example::

        result = await labsupport.load(server.url, requests=20, concurrency=5)
        result.statuses   # {200: 20}
    """
    target = http11.loopback_target(url, caller="load")
    check_count("requests", requests)
    check_count("concurrency", concurrency, most=1000)
    check_seconds("timeout", timeout)
    check_seconds("max_seconds", max_seconds)
    request = http11.format_request(method, target, headers=headers, body=body)  # checks all three
    bar = _progress_bar(requests, f"{method} {target.path}") if progress else None
    loop = asyncio.get_running_loop()
    run = _Run(target=target, request=request, method=method, requests=requests, timeout=timeout,
               deadline=loop.time() + max_seconds, bar=bar)
    try:
        await asyncio.gather(*(run.worker() for _ in range(min(concurrency, requests))))
    finally:
        if bar is not None:
            bar.close()
    result = LoadResult(run.records)
    if all(r.error == http11.REFUSED for r in result):
        raise NotListeningError(
            f"Nothing listens on {target.host}:{target.port}: all {requests} connections were refused. Start the "
            f"server first (labsupport.serve or labsupport.serve_process) and use its .url.")
    return result


async def sweep(url: str, *, concurrencies: tuple[int, ...] = (1, 2, 5, 10, 20, 50),
                requests_per_level: int = 200, **kwargs: Any) -> dict[int, LoadResult]:
    """Run :func:`load` once per concurrency level, one level after another; keyword options pass on.

    Example::

        points = await labsupport.sweep(server.url, concurrencies=(1, 10), requests_per_level=100)
        labsupport.plot_throughput(points, title="Ten at a time answers more per second")
    """
    if not concurrencies:
        raise LoadError("sweep() needs at least one concurrency level, e.g. concurrencies=(1, 10).")
    return {level: await load(url, requests=requests_per_level, concurrency=level, **kwargs)
            for level in concurrencies}


def _progress_bar(total: int, desc: str) -> Any:
    """A notebook progress bar when running in a Jupyter kernel with ipywidgets; else None."""
    try:
        from IPython import get_ipython
        if getattr(get_ipython(), "kernel", None) is None:
            return None
        import ipywidgets  # noqa: F401 - tqdm.notebook needs it; without it, no bar rather than text
        from tqdm.notebook import tqdm
    except ImportError:
        return None
    # smoothing=0: the rate is completed/elapsed. tqdm's default moving average reads a burst of
    # answers (ten requests done together after 0.5 s) as about 2 req/s instead of 20.
    return tqdm(total=total, desc=desc, unit="req", smoothing=0)
