"""Open thousands of idle connections to a server in another process and measure what they cost it.

Example (a notebook cell; top-level ``await`` works there)::

    from labsupport.measure import c10k
    result = await c10k.measure("tornado", connections=300)
    result.all_served, round(result.kb_per_connection)   # (True, 9)

``measure`` starts the server (see :mod:`labsupport.measure.c10k_servers`) with ``serve_process``, reads
its memory, opens the connections from this process, sends one request on each and checks the
answer, reads the memory again while they sit idle, then closes them and stops the server. The
connections are Tornado ``IOStream`` objects speaking the HTTP of :mod:`labsupport.measure.http11`,
the client ``labsupport.load()`` uses; the open-file limit is :mod:`labsupport.measure.filelimit`'s.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from tornado.iostream import IOStream
from tornado.tcpclient import TCPClient

from . import http11
from .c10k_servers import BODY
from ..errors import C10kError
from .filelimit import SPARE_FILES, raise_open_file_limit, room_for_sockets
from .options import check_count, check_seconds
from ..servers.processes import ServerProcess, serve_process

__all__ = ["C10kError", "C10kResult", "Held", "MAX_CONNECTIONS", "SERVERS", "hold", "measure",
           "raise_open_file_limit"]

SERVERS = ("tornado", "threads")
MAX_CONNECTIONS = 25_000  # loopback has about 28,000 ephemeral ports (32768-60999) per target


@dataclass(frozen=True)
class C10kResult:
    """What holding ``asked`` idle connections cost one server; made by :func:`measure`.

    ``rss_before``/``rss_after`` are the server's resident memory in bytes (its processes,
    not the supervisor) before the connections and while they were held idle.
    """

    server: str
    asked: int
    connected: int
    served: int
    accepted: int
    rss_before: int
    rss_after: int
    threads: int
    seconds: float
    errors: dict[str, int] = field(default_factory=dict)

    @property
    def all_served(self) -> bool:
        """True when every connection asked for got a correct answer."""
        return self.served == self.asked

    @property
    def kb_per_connection(self) -> float:
        """Growth of the server's resident memory per connection held, in KB (1024 bytes)."""
        return (self.rss_after - self.rss_before) / 1024 / max(self.connected, 1)

    def __repr__(self) -> str:
        errors = "".join(f", {kind} x{n}" for kind, n in self.errors.items())
        return (f"C10kResult({self.server!r}: {self.asked} asked, {self.accepted} accepted, "
                f"{self.served} served{errors}; RSS {self.rss_before / 2**20:.1f} -> "
                f"{self.rss_after / 2**20:.1f} MB, {self.kb_per_connection:.1f} KB per connection, "
                f"{self.threads} thread{'s' * (self.threads != 1)}, {self.seconds:.1f} s to open)")


@dataclass
class Held:
    """The connections :func:`hold` opened: ``connected`` and ``served`` counts, failures by kind."""

    asked: int
    connected: int = 0
    served: int = 0
    errors: collections.Counter = field(default_factory=collections.Counter)
    seconds: float = 0.0
    _streams: list[IOStream] = field(default_factory=list, repr=False)

    async def _open_one(self, target: http11.Target, request: bytes, expect: bytes | None, *,
                        client: TCPClient, gate: asyncio.Semaphore, timeout: float, deadline: float) -> None:
        async with gate:
            loop = asyncio.get_running_loop()
            if loop.time() >= deadline:
                self.errors["not started: max_seconds reached"] += 1
                return
            try:
                async with asyncio.timeout_at(min(loop.time() + timeout, deadline)):
                    stream = await http11.connect(target, client=client)
                    self._streams.append(stream)  # from here on it is closed by _close_all
                    self.connected += 1
                    await stream.write(request)
                    response = await http11.read_response(stream)
                ok = response.status == 200 and (expect is None or response.body == expect)
                self.served += ok
                if not ok:
                    self.errors["wrong answer"] += 1
            except Exception as exc:  # refused, reset, timeout, cut off, a malformed answer...
                self.errors[http11.describe_failure(exc)] += 1

    def _close_all(self) -> None:
        streams, self._streams = self._streams, []
        for stream in streams:
            stream.close()  # closes the socket now; Tornado runs the stream's callbacks later


@contextlib.asynccontextmanager
async def hold(url: str, *, connections: int, concurrency: int = 100, timeout: float = 10.0,
               max_seconds: float = 60.0, expect: bytes | None = None) -> AsyncIterator[Held]:
    """Open ``connections`` connections to ``url``, send a ``GET`` for its path on each, keep them open.

    At most ``concurrency`` connections are being opened at a time; one that takes longer than
    ``timeout`` s is counted as ``"timeout"``, and after ``max_seconds`` no new one is started.
    A connection counts as served when the answer is a 200 (with body ``expect``, if given).
    Inside the ``async with`` block the connections sit idle; leaving it closes them all.
    Only this machine (127.0.0.1, ::1, localhost) can be the target: any other host raises
    :class:`~labsupport.LoadTargetError`, as ``load()`` does.

    Example::

        async with c10k.hold(server.url, connections=200) as held:
            print(held.served)   # 200; the server holds 200 idle connections right now
    """
    target = http11.loopback_target(url, caller="hold", error=C10kError)
    _check_options(connections, concurrency, timeout=timeout, max_seconds=max_seconds)
    held = Held(asked=connections)
    request = http11.format_request("GET", target)
    with room_for_sockets(connections):
        try:
            gate, loop, client = asyncio.Semaphore(concurrency), asyncio.get_running_loop(), TCPClient()
            start = loop.time()
            await asyncio.gather(*(held._open_one(target, request, expect, client=client, gate=gate,
                                                  timeout=timeout, deadline=start + max_seconds)
                                   for _ in range(connections)))
            held.seconds = loop.time() - start
            yield held
        finally:
            held._close_all()


async def measure(server: str, *, connections: int, concurrency: int = 100, timeout: float = 10.0,
                  max_seconds: float = 60.0, settle: float = 0.5) -> C10kResult:
    """Start ``server`` ("tornado" or "threads"), hold ``connections`` idle ones, measure, stop it.

    The server runs in its own process under ``labsupport.serve_process`` and is stopped when
    this returns, also on failure. Memory is read ``settle`` s after the last connection is
    answered. Options other than ``server`` and ``settle`` pass on to :func:`hold`.

    Example::

        results = [await c10k.measure(kind, connections=300) for kind in c10k.SERVERS]
        [r.kb_per_connection for r in results]   # [8.7, 25.3]; labsupport.plots.c10k draws them
    """
    if server not in SERVERS:
        raise C10kError(f"server must be one of {', '.join(map(repr, SERVERS))}, not {server!r}.")
    _check_options(connections, concurrency, timeout=timeout, max_seconds=max_seconds, settle=settle)
    with room_for_sockets(connections):  # fails here, before any process starts, if it cannot fit
        proc = serve_process(["{python}", "-m", "labsupport.measure.c10k_servers", server, "--port={port}",
                              "--host={host}", f"--files={connections + SPARE_FILES}"],
                             name=f"c10k-{server}")
        try:
            await _warm_up(proc.url)
            rss_before, _, _ = _inspect(proc)
            async with hold(proc.url, connections=connections, concurrency=concurrency,
                            timeout=timeout, max_seconds=max_seconds, expect=BODY) as held:
                await asyncio.sleep(settle)
                rss_after, threads, accepted = _inspect(proc)
        finally:
            proc.stop()
    return C10kResult(server=server, asked=connections, connected=held.connected, served=held.served,
                      accepted=accepted, rss_before=rss_before, rss_after=rss_after, threads=threads,
                      seconds=held.seconds, errors=dict(held.errors.most_common()))


async def _warm_up(url: str) -> None:
    """One request first, so that the baseline includes what a server sets up once."""
    async with hold(url, connections=1, max_seconds=10.0):
        pass
    await asyncio.sleep(0.2)


def _inspect(proc: ServerProcess) -> tuple[int, int, int]:
    """(resident bytes, threads, established connections on its port) of the server's processes:
    the supervisor's descendants (the supervisor is serve_process's, not the server's)."""
    import psutil

    try:
        family = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        family = []
    if not family:
        raise C10kError(f"The server process {proc.name!r} has exited. Its output ends with:\n"
                        f"{proc.logs()[-2000:]}")
    rss = threads = established = 0
    for p in family:
        with contextlib.suppress(psutil.NoSuchProcess):
            rss += p.memory_info().rss
            threads += p.num_threads()
            established += sum(c.status == psutil.CONN_ESTABLISHED and c.laddr.port == proc.port
                               for c in p.net_connections(kind="tcp"))
    return rss, threads, established


def _check_options(connections: object, concurrency: object, **seconds: object) -> None:
    check_count("connections", connections, most=MAX_CONNECTIONS, error=C10kError)
    check_count("concurrency", concurrency, most=1000, error=C10kError)
    for name, value in seconds.items():
        check_seconds(name, value, zero=True, most=3600, error=C10kError)
