"""Send many HTTP requests to a server on this machine, a few at a time, and time each one.

Example (a notebook cell; top-level ``await`` works there)::

    import labsupport
    slow = labsupport.serve_process("labsupport.demos.apps:make_sleep_app", settings={"seconds": 0.5})
    result = await labsupport.load(slow.url + "async", requests=20, concurrency=20)
    print(result.summary())   # 20 requests: 20 ok, 0 errors, wall 0.5 s
"""

from __future__ import annotations

import asyncio
import collections
import ipaddress
import math
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from tornado.iostream import IOStream, StreamClosedError, UnsatisfiableReadError
from tornado.tcpclient import TCPClient

from .errors import LoadError, LoadTargetError, NotListeningError
from .options import check_count, check_seconds

__all__ = ["LoadError", "LoadResult", "LoadTargetError", "NotListeningError", "RequestRecord",
           "load", "sweep"]

_MAX_HEAD = 64 * 1024
_REFUSED = "connection refused"
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

    def __init__(self, *, host: str, port: int, request: bytes, method: str, requests: int,
                 timeout: float, deadline: float, bar: Any) -> None:
        self.host, self.port, self.request, self.method = host, port, request, method
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
                        stream = await self.client.connect(self.host, self.port)
                        stream.set_nodelay(True)
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
        except StreamClosedError as exc:
            error = _describe(exc.real_error) if exc.real_error else "connection closed by server"
        except Exception as exc:  # refused, reset, a malformed or oversized response...
            error = _describe(exc)
        if stream is not None:
            stream.close()
        return None, None, error

    async def exchange(self, stream: IOStream) -> tuple[int, bool]:
        """Write the request, read one whole response; return its status and keep-alive."""
        await stream.write(self.request)
        head = await stream.read_until(b"\r\n\r\n", max_bytes=_MAX_HEAD)
        lines = head.split(b"\r\n")
        version, _, rest = lines[0].partition(b" ")
        status = int(rest[:3])
        length, chunked, keep = None, False, version == b"HTTP/1.1"
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
            elif name == b"connection":
                keep = value.strip().lower() == b"keep-alive" or (keep and b"close" not in value.lower())
        if self.method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            return status, keep
        if chunked:
            while True:
                size = int((await stream.read_until(b"\r\n", max_bytes=_MAX_HEAD)).split(b";")[0], 16)
                if size == 0:
                    while await stream.read_until(b"\r\n", max_bytes=_MAX_HEAD) != b"\r\n":
                        pass  # trailers
                    return status, keep
                await stream.read_bytes(size + 2)
        if length is not None:
            if length:
                await stream.read_bytes(length)
            return status, keep
        await stream.read_until_close()  # no length given: the body ends when the connection does
        return status, False


async def load(url: str, *, requests: int = 100, concurrency: int = 10, timeout: float = 10.0,
               method: str = "GET", body: bytes | None = None, headers: dict[str, str] | None = None,
               progress: bool = True, max_seconds: float = 60.0) -> LoadResult:
    """Send ``requests`` requests to ``url`` with at most ``concurrency`` in flight; time each one.

    Each of the ``concurrency`` workers keeps one connection open and sends its requests one
    after another on it. A request that takes longer than ``timeout`` seconds is recorded as
    an error ``"timeout"``; after ``max_seconds`` the run stops and what is left is recorded
    as ``"not sent: max_seconds reached"``. Failures are recorded, never raised, unless every
    connection was refused. Only this machine (127.0.0.1, ::1, localhost) can be the target.
    ``headers`` adds request headers, e.g. ``{"Cookie": "todo_user=..."}``.

    Example::

        result = await labsupport.load(server.url, requests=20, concurrency=5)
        result.statuses   # {200: 20}
    """
    host, port, target, netloc = _check_url(url)
    _check_options(requests=requests, concurrency=concurrency, timeout=timeout,
                   max_seconds=max_seconds, method=method, body=body, headers=headers)
    head = f"{method} {target} HTTP/1.1\r\nHost: {netloc}\r\nUser-Agent: labsupport-load\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
    if body is not None or method in ("POST", "PUT", "PATCH"):
        head += f"Content-Length: {len(body or b'')}\r\n"
    bar = _progress_bar(requests, f"{method} {target}") if progress else None
    loop = asyncio.get_running_loop()
    run = _Run(host=host, port=port, request=head.encode("latin-1") + b"\r\n" + (body or b""),
               method=method, requests=requests, timeout=timeout,
               deadline=loop.time() + max_seconds, bar=bar)
    try:
        await asyncio.gather(*(run.worker() for _ in range(min(concurrency, requests))))
    finally:
        if bar is not None:
            bar.close()
    result = LoadResult(run.records)
    if all(r.error == _REFUSED for r in result):
        raise NotListeningError(
            f"Nothing listens on {host}:{port}: all {requests} connections were refused. Start the "
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


def _check_url(url: object) -> tuple[str, int, str, str]:
    """(host, port, path?query, host[:port]) of a loopback http:// URL."""
    if not isinstance(url, str):
        raise LoadError(f"load() needs a URL string such as server.url, not {type(url).__name__}.")
    parts = urlsplit(url)
    if parts.scheme != "http":
        raise LoadError(f"load() speaks plain http://, so the URL must start with http://, not {url!r}.")
    host = parts.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise LoadTargetError(
            f"load() only ever targets this machine (127.0.0.1, ::1 or localhost), not {host!r}. "
            f"Start your own copy of the server (labsupport.serve or serve_process) and use its .url.")
    try:
        port = parts.port or 80
    except ValueError:
        raise LoadError(f"The port in {url!r} is not a number from 1 to 65535.") from None
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return host, port, target, parts.netloc


def _check_options(*, requests: int, concurrency: int, timeout: float, max_seconds: float,
                   method: str, body: bytes | None, headers: dict[str, str] | None = None) -> None:
    check_count("requests", requests)
    check_count("concurrency", concurrency, most=1000)
    check_seconds("timeout", timeout)
    check_seconds("max_seconds", max_seconds)
    if not isinstance(method, str) or not method.isalpha() or not method.isupper():
        raise LoadError(f"method must be an upper-case HTTP method such as 'GET' or 'POST', not {method!r}.")
    if body is not None and not isinstance(body, bytes):
        raise LoadError(f"body must be bytes (e.g. 'text'.encode()), not {type(body).__name__}.")
    if headers is not None and not isinstance(headers, dict):
        raise LoadError(f"headers must be a dict such as {{'Cookie': 'user=...'}}, not {type(headers).__name__}.")
    for name, value in (headers or {}).items():
        if not (isinstance(name, str) and isinstance(value, str) and name.isascii() and name.strip() == name
                and name and ":" not in name and not any(c in name + value for c in "\r\n")
                and name.lower() not in ("host", "content-length", "transfer-encoding")):
            raise LoadError(f"headers must map names to one-line strings (not Host, Content-Length or "
                            f"Transfer-Encoding, which load() sets), not {name!r}: {value!r}.")


def _describe(exc: BaseException) -> str:
    if isinstance(exc, (ConnectionRefusedError, ConnectionResetError)):
        return _REFUSED if isinstance(exc, ConnectionRefusedError) else "connection reset by server"
    return f"bad response: {exc}" if isinstance(exc, (ValueError, UnsatisfiableReadError)) else repr(exc)


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
