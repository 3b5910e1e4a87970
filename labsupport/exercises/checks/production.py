"""Checks for the exercises of lesson 12 (run the app in production: behind proxies, and a graceful drain).

Example, in ``exercises/12-run-the-app-in-production.ipynb``::

    await labsupport.check("trust-the-proxy", make_server)
    await labsupport.check("drain-in-time", drain)

Both send real requests to a real ``HTTPServer`` on 127.0.0.1 and a free port, and stop it on
every path. The drain check talks raw HTTP/1.1, to see keep-alive, ``Connection: close`` and
connections the server hangs up.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import httpx
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets

from ..check import CheckFailed, requirement, task
from ...demos.production import SleepyApp, make_who_app
from .support import async_function

__all__: list[str] = []

CDN = ("10.0.0.5", "10.0.0.6")  # the CDN's two nodes, as the exercise names them
CLIENT = "203.0.113.7"  # a visitor (TEST-NET-3)
FORGED = "198.51.100.66"  # what a visitor claims to be (TEST-NET-2)
NGINX = "127.0.0.1"


@contextlib.asynccontextmanager
async def _listening(server: HTTPServer) -> AsyncIterator[int]:
    """Add a socket on 127.0.0.1 and a free port to ``server``; yield the port; stop it on every path."""
    sockets = bind_sockets(0, NGINX)
    try:
        server.add_sockets(sockets)
    except BaseException:
        for sock in sockets:
            sock.close()
        raise
    try:
        yield sockets[0].getsockname()[1]
    finally:
        server.stop()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(server.close_all_connections(), 2)


# --- trust-the-proxy ------------------------------------------------------------------------------

def _via(node: str, *, client: str = CLIENT, forged: str | None = None, proto: str = "https") -> dict[str, str]:
    """The headers nginx sends on for a visitor's request that came through CDN ``node``."""
    chain = [forged] if forged else []
    return {"X-Forwarded-For": ", ".join([*chain, client, node]), "X-Forwarded-Proto": proto}


def _trusted(server: HTTPServer) -> str:
    return f"trusted_downstream={server.trusted_downstream!r}"


@task("trust-the-proxy", budget=6, requirements={
    "own-address": "without the proxies' headers a request keeps the socket's own address and scheme, 127.0.0.1 "
                   "and http; a scheme other than http or https is ignored too",
    "xheaders": "through the proxies, the address and scheme come from their headers, not from the socket "
                "(whose peer is always nginx)",
    "skips-cdn": "the address is the visitor's, not that of the CDN node that passed the request on",
    "every-node": "requests through either CDN node, 10.0.0.5 or 10.0.0.6, get the visitor's address",
    "forged-entry": "addresses a client writes into X-Forwarded-For itself get no say: the rightmost address "
                    "that no trusted hop appended wins",
})
async def trust_the_proxy(answer) -> str:
    if not callable(answer) or inspect.iscoroutinefunction(answer):
        raise CheckFailed(f"make_server should be a plain function, `def make_server(app)`, not "
                          f"{type(answer).__name__}. Did you run the cell that defines it?")
    server = answer(make_who_app())
    if not isinstance(server, HTTPServer):
        raise CheckFailed(f"make_server(app) returned {type(server).__name__}, not an HTTPServer. "
                          "Hint: return HTTPServer(app, ...) with the options this deployment needs.")
    if server._sockets:  # TCPServer's own record of what it listens on
        server.stop()
        raise CheckFailed("make_server(app) returned a server that already listens. Hint: only build it, "
                          "`return HTTPServer(app, ...)`: whoever runs it adds the sockets (bind_sockets and "
                          "add_sockets, after fork_processes).")
    async with _listening(server) as port, httpx.AsyncClient(timeout=3) as client:
        async def who(headers: dict[str, str]) -> tuple[str, str]:
            response = await client.get(f"http://{NGINX}:{port}/", headers=headers)
            if response.status_code != 200:
                raise CheckFailed(f"GET / answered {response.status_code}, expected 200: the server should "
                                  "serve the app it was given. Hint: HTTPServer(app, ...).")
            seen = response.json()
            return seen["remote_ip"], seen["protocol"]

        def said(headers: dict[str, str], seen: tuple[str, str]) -> str:
            sent = "; ".join(f"{name}: {value}" for name, value in headers.items()) or "none of the proxies' headers"
            return f"a request with {sent} got remote_ip {seen[0]!r}, protocol {seen[1]!r}"

        requirement("own-address")
        for headers in ({}, {"X-Forwarded-Proto": "gopher"}):
            seen = await who(headers)
            if seen != (NGINX, "http"):
                hint = ("leave out protocol=: it makes every request https, even one that came in plain http; "
                        "with xheaders=True the scheme comes from X-Forwarded-Proto." if seen[1] == "https" else
                        "without the proxies' headers Tornado keeps the socket's peer and scheme: pass only "
                        "xheaders and trusted_downstream.")
                raise CheckFailed(f"{said(headers, seen)}, expected {NGINX!r} and 'http'. Hint: {hint}")
        requirement("xheaders")
        headers = _via(CDN[0])
        seen = await who(headers)
        if seen[0] == NGINX or seen[1] != "https":
            raise CheckFailed(f"{said(headers, seen)}: that is the socket's, nginx's, not what the proxies said. "
                              "Hint: HTTPServer(app, xheaders=True, ...) makes Tornado read X-Forwarded-For and "
                              "X-Forwarded-Proto.")
        requirement("skips-cdn")
        if seen[0] != CLIENT:
            trusted = server.trusted_downstream or ()
            if isinstance(trusted, str):
                hint = (f"{_trusted(server)} is one string, and Tornado makes a set of its characters. Give a "
                        f"list of addresses: {list(CDN)!r}.")
            elif any("/" in entry for entry in trusted):
                hint = (f"{_trusted(server)} holds a network, but Tornado compares each address with `in`, "
                        f"string against string, so it matches no address. List the nodes: {list(CDN)!r}.")
            else:
                hint = ("Tornado takes the rightmost address of X-Forwarded-For, which nginx appended: the CDN "
                        "node's. Pass trusted_downstream=[...] with the CDN's addresses, so it skips them.")
            raise CheckFailed(f"{said(headers, seen)}, expected the visitor's {CLIENT!r}. Hint: {hint}")
        requirement("every-node")
        headers = _via(CDN[1])
        seen = await who(headers)
        if seen[0] != CLIENT:
            raise CheckFailed(f"{said(headers, seen)}, expected the visitor's {CLIENT!r}. Hint: trust every "
                              f"node of the CDN: {_trusted(server)} should list both {CDN[0]} and {CDN[1]}.")
        requirement("forged-entry")
        for headers, expected, who_sent in (
                (_via(CDN[1], forged=FORGED), CLIENT, f"a visitor who wrote {FORGED} into X-Forwarded-For itself"),
                ({"X-Forwarded-For": f"{CLIENT}, {NGINX}", "X-Forwarded-Proto": "http"}, NGINX,
                 f"a program on this machine that wrote {CLIENT} into X-Forwarded-For and went through nginx "
                 f"(which appended {NGINX})")):
            seen = await who(headers)
            if seen[0] != expected:
                raise CheckFailed(
                    f"{said(headers, seen)}: {who_sent} chose the address it got; expected {expected!r}. Hint: "
                    f"trust only the CDN's nodes, {list(CDN)!r}. nginx is the socket's peer and appends the "
                    f"address it got the request from, never its own, so an entry {NGINX} comes from a client "
                    f"on this machine; {_trusted(server)} lets the address in front of it through.")
    return (f"the visitor's address {CLIENT} through either CDN node, https from X-Forwarded-Proto, forged "
            "entries ignored, and the socket's 127.0.0.1 and http without the proxies' headers")


# --- drain-in-time --------------------------------------------------------------------------------

@dataclass
class _Answer:
    status: int | None = None  # None: no answer (``problem`` says why)
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""
    problem: str = ""
    at: float = 0.0  # loop time it arrived


class _Client:
    """One raw HTTP/1.1 connection, kept alive unless the server closes it."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    def send(self, path: str) -> None:
        try:
            self.writer.write(f"GET {path} HTTP/1.1\r\nHost: check\r\n\r\n".encode())
        except (ConnectionError, RuntimeError):  # already closed: answer() says so
            pass

    async def answer(self, within: float) -> _Answer:
        """The answer to the request sent, or why there is none (hung up, or nothing within ``within`` s)."""
        try:
            head = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), within)
            lines = head.decode("latin-1").split("\r\n")
            headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
            headers = {name.lower(): value for name, value in headers.items()}
            body = await asyncio.wait_for(self.reader.readexactly(int(headers.get("content-length", 0))), within)
        except TimeoutError:
            return _Answer(problem=f"no answer within {within:g} s")
        except asyncio.IncompleteReadError as cut:
            return _Answer(problem="the connection closed " + ("mid-answer" if cut.partial else "with no answer"))
        except ConnectionError:
            return _Answer(problem="the connection was reset with no answer")
        return _Answer(int(lines[0].split()[1]), headers, body.decode(), at=asyncio.get_running_loop().time())

    async def hung_up(self, within: float) -> bool:
        """True if the server closes this connection within ``within`` s."""
        try:
            return await asyncio.wait_for(self.reader.read(1), within) == b""
        except TimeoutError:
            return False
        except ConnectionError:
            return True

    def close(self) -> None:
        self.writer.close()


async def _connect(port: int) -> _Client:
    return _Client(*await asyncio.open_connection(NGINX, port))


async def _refuses(port: int) -> bool:
    try:
        client = await asyncio.wait_for(_connect(port), 1)
    except (ConnectionError, TimeoutError):
        return True
    client.close()
    return False


async def _until(condition: Callable[[], bool], seconds: float) -> bool:
    for _ in range(int(seconds / 0.01)):
        if condition():
            return True
        await asyncio.sleep(0.01)
    return condition()


def _raise_if_failed(draining: asyncio.Future) -> None:
    """Let an exception from the learner's drain be reported as theirs (or as "not done yet")."""
    if draining.done() and not draining.cancelled() and draining.exception() is not None:
        raise draining.exception()


@contextlib.asynccontextmanager
async def _sleepy() -> AsyncIterator[tuple[HTTPServer, SleepyApp, int, list[_Client]]]:
    """A SleepyApp served on a free port; yields (server, app, port, clients to close at the end)."""
    app = SleepyApp()
    server = HTTPServer(app)
    clients: list[_Client] = []
    try:
        async with _listening(server) as port:
            yield server, app, port, clients
    finally:
        for client in clients:
            client.close()


@task("drain-in-time", budget=8, requirements={
    "refuses-new": "once drain starts, new connections are refused at once",
    "finishes-in-progress": "the requests in progress when drain starts are answered: 200 and the whole body",
    "connection-close": "a request that comes on a kept-alive connection during the drain is answered with "
                        "Connection: close",
    "returns-soon": "drain returns once the last request is answered: not before, and not the whole timeout later",
    "closes-idle": "idle keep-alive connections are closed by the time drain returns",
    "cuts-off": "a request still running at the timeout is cut off, and drain returns then, within timeout + 0.3 s",
})
async def drain_in_time(answer) -> str:
    drain = async_function(answer, "drain")
    await _drain_while_requests_run(drain)
    requirement("cuts-off")
    await _drain_past_the_timeout(drain)
    return ("new connections refused at once, 0.3 s and 0.5 s requests answered in full, the next answer on a "
            "kept-alive connection said Connection: close, drain returned just after the last one and closed "
            "the idle connections; with timeout 0.6 a 3 s request was cut off at 0.6 s")


async def _drain_while_requests_run(drain) -> None:
    """Timeout 2, two requests in progress (0.3 and 0.5 s), two idle keep-alive connections; one asks again."""
    loop = asyncio.get_running_loop()
    async with _sleepy() as (server, app, port, clients):
        idle, kept, short, long = clients[:] = [await _connect(port) for _ in range(4)]
        for client in (idle, kept):  # each has had an answer: kept alive, waiting for its next request
            client.send("/sleep?seconds=0")
            if (await client.answer(2)).status != 200:
                raise CheckFailed("the app did not answer before the drain: run the check again.")
        short.send("/sleep?seconds=0.3")
        long.send("/sleep?seconds=0.5")
        await _until(lambda: len(app.in_progress) == 2, 2)
        started = loop.time()
        draining = asyncio.ensure_future(drain(server, app, 2.0))
        returned: list[float] = []
        draining.add_done_callback(lambda _: returned.append(loop.time()))
        try:
            await asyncio.sleep(0.05)
            _raise_if_failed(draining)
            requirement("refuses-new")
            if not await _refuses(port):
                raise CheckFailed("a new connection 0.05 s after drain started was accepted. Hint: call "
                                  "server.stop() first: it closes the listening sockets, so new connections are "
                                  "refused while the requests in progress finish.")
            kept.send("/sleep?seconds=0.1")  # its next request, on a connection kept alive from before
            answers = await asyncio.gather(short.answer(2.5), long.answer(2.5), kept.answer(2.5))
            _raise_if_failed(draining)
            requirement("finishes-in-progress")
            for got, seconds in zip(answers[:2], (0.3, 0.5)):
                if got.status != 200 or got.body != f"slept {seconds:g} s\n":
                    what = got.problem or f"{got.status} {got.body!r}"
                    raise CheckFailed(
                        f"a {seconds:g} s request in progress when drain started got {what}, expected 200 "
                        f"'slept {seconds:g} s\\n'. Hint: after server.stop(), wait while app.in_progress is not "
                        "empty (await asyncio.sleep in a loop, until the deadline), and only then await "
                        "server.close_all_connections(): it closes connections whatever they are doing.")
            requirement("connection-close")
            got = answers[2]
            if got.status != 200 or got.headers.get("connection", "").lower() != "close":
                what = got.problem or f"{got.status} with Connection: {got.headers.get('connection', '(none)')}"
                raise CheckFailed(
                    f"a request on a kept-alive connection 0.05 s into the drain got {what}, expected 200 with "
                    "Connection: close, so the client goes elsewhere next time. Hint: "
                    "server.conn_params.no_keep_alive = True right after server.stop(): every request read "
                    "from then on is answered with Connection: close.")
            requirement("returns-soon")
            last = answers[1].at
            await asyncio.wait({draining}, timeout=max(0.0, last + 0.4 - loop.time()))
            _raise_if_failed(draining)
            if not returned:
                raise CheckFailed(
                    f"drain had not returned {loop.time() - last:.1f} s after the last request was answered "
                    "(timeout 2 s). Hint: stop waiting as soon as app.in_progress is empty: check it every "
                    "few hundredths of a second, rather than sleeping the whole timeout.")
            if returned[0] < last - 0.1:
                raise CheckFailed(
                    f"drain returned {returned[0] - started:.2f} s after it started, while a 0.5 s request was "
                    "still in progress. Hint: wait while app.in_progress is not empty, up to the timeout.")
            requirement("closes-idle")
            for client, which in ((idle, "an idle keep-alive connection"),
                                  (long, "the connection of the 0.5 s request, answered without Connection: "
                                         "close (Tornado decided to keep it alive when it read the request, "
                                         "before the drain),")):
                if not await client.hung_up(0.3):
                    raise CheckFailed(
                        f"{which} was still open 0.3 s after drain returned. Hint: end with "
                        "`await server.close_all_connections()`: server.stop() closes only the listening "
                        "sockets, and a keep-alive connection waits for its next request for up to an hour.")
        finally:
            draining.cancel()


async def _drain_past_the_timeout(drain) -> None:
    """Timeout 0.6 and a 3 s request: drain cuts it off at the timeout."""
    loop = asyncio.get_running_loop()
    async with _sleepy() as (server, app, port, clients):
        clients.append(stuck := await _connect(port))
        stuck.send("/sleep?seconds=3")
        await _until(lambda: len(app.in_progress) == 1, 2)
        started = loop.time()
        draining = asyncio.ensure_future(drain(server, app, 0.6))
        try:
            await asyncio.wait({draining}, timeout=0.9)
            _raise_if_failed(draining)
            took = loop.time() - started
            if not draining.done():
                raise CheckFailed(
                    f"with timeout 0.6 and a 3 s request, drain had not returned after {took:.1f} s. Hint: stop "
                    "waiting at the deadline, loop.time() + timeout, even if app.in_progress is not empty yet.")
            if took < 0.55:
                raise CheckFailed(f"with timeout 0.6 and a 3 s request, drain returned after {took:.2f} s. Hint: "
                                  "give the requests in progress the whole timeout before closing them.")
            got = await stuck.answer(0.3)
            if got.status is not None or got.problem.startswith("no answer"):
                raise CheckFailed(
                    f"with timeout 0.6, the 3 s request still running at the timeout got "
                    f"{got.problem or got.status}: it should be cut off when drain returns. Hint: after the "
                    "wait, `await server.close_all_connections()` closes what is still running.")
        finally:
            draining.cancel()
