"""Checks for the exercises of lesson 03 (many requests at once, failed requests, a concurrency limit).

Example, in ``exercises/03-call-servers-with-http-clients.ipynb``::

    await labsupport.check("fetch-many", fetch_all)
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import AsyncIterator

import httpx
import tornado.web

from ..check import CheckFailed, requirement, task
from .support import LoopWatch, async_function, serve_quietly

__all__: list[str] = []

class _EchoHandler(tornado.web.RequestHandler):
    """``GET /echo/<word>?delay=s`` answers ``<word>`` after ``s`` seconds and counts requests in flight.

    With ``stats["slots"]`` and ``stats["total"]`` set, ``stats["idle"]`` adds up, in request-seconds,
    the time fewer than ``slots`` requests ran while some of the ``total`` had not arrived yet, from
    the moment ``slots`` first ran at once: about 0 when a new request starts as one finishes.
    """

    def initialize(self, stats: dict) -> None:
        self.stats = stats

    def _tick(self) -> None:
        stats, now = self.stats, time.perf_counter()
        if stats.get("since") is not None and stats["started"] < stats.get("total", 0):
            stats["idle"] += max(0, stats.get("slots", 0) - stats["now"]) * (now - stats["since"])
        if stats.get("since") is not None or (stats.get("slots") and stats["now"] >= stats["slots"]):
            stats["since"] = now

    async def get(self, word: str) -> None:
        try:
            delay = float(self.get_query_argument("delay", "0"))
        except ValueError:
            raise tornado.web.HTTPError(400) from None
        self._tick()
        self.stats["now"] += 1
        self.stats["started"] += 1
        self.stats["peak"] = max(self.stats["peak"], self.stats["now"])
        self._tick()
        try:
            await asyncio.sleep(delay)
        finally:
            self._tick()
            self.stats["now"] -= 1
        self.write(word)


class _StatusHandler(tornado.web.RequestHandler):
    """``GET /status/<code>`` answers that status with a short text body."""

    def get(self, code: str) -> None:
        self.set_status(int(code))
        self.write(f"status {code}")


class _HangHandler(tornado.web.RequestHandler):
    """``GET /hang`` answers after 1.5 s, or stops waiting as soon as the client hangs up."""

    async def get(self) -> None:
        self.hung_up = asyncio.Event()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.hung_up.wait(), 1.5)
        if not self.hung_up.is_set():
            self.write("too late")

    def on_connection_close(self) -> None:
        if hasattr(self, "hung_up"):
            self.hung_up.set()


@contextlib.asynccontextmanager
async def _api(**counting) -> AsyncIterator[tuple[str, dict]]:
    """Serve the check's endpoints on this loop; yield (base URL, stats).

    ``stats["now"]`` and ``stats["peak"]`` count the /echo requests in flight, ``stats["started"]``
    all of them; ``counting`` (slots=..., total=...) makes ``stats["idle"]`` count too, see
    :class:`_EchoHandler`. ``stats["watch"]`` measures the loop's longest stall. A stall only
    explains a failure, never causes one: creating an httpx client blocks for a moment by itself
    (more on a busy machine). ``stats["open"]()`` says how many connections to it are open.
    """
    stats = {"now": 0, "peak": 0, "started": 0, "idle": 0.0, "since": None, **counting}
    server = serve_quietly([
        (r"/echo/([a-z0-9-]+)", _EchoHandler, {"stats": stats}),
        (r"/status/([0-9]{3})", _StatusHandler),
        (r"/hang", _HangHandler),
    ])
    stats["open"] = lambda: sum(not stream.closed() for stream in list(server._streams))
    try:
        async with LoopWatch() as watch:
            stats["watch"] = watch
            yield server.url, stats
    finally:
        await server.aclose()


def _not_blocked(watch: LoopWatch) -> None:
    if watch.blocked:
        raise CheckFailed(f"your code blocked the event loop for {watch.longest:.1f} s, so the server could not "
                          "answer meanwhile. Hint: use httpx.AsyncClient and `await` each request; never a blocking "
                          "client (httpx.get, requests, urllib) or time.sleep.")


def _closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens: bind a free port, then let it go."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def _brief(item: object) -> object:
    if isinstance(item, httpx.Response):
        return f"<Response [{item.status_code}]>"
    if isinstance(item, str) and len(item) > 30:
        return item[:27] + "..."
    if isinstance(item, bytes) and len(item) > 30:
        return item[:27] + b"..."
    return item


def _texts(results: object) -> object:
    """What the learner returned, shown briefly: long bodies cut, responses as their status."""
    if isinstance(results, (list, tuple)) and len(results) <= 10:
        return [_brief(r) for r in results]
    return _brief(results) if not isinstance(results, (list, tuple)) else f"a list of {len(results)} items"


def _requests(count: int) -> str:
    return f"{count} request" + ("" if count == 1 else "s")


def _check_bodies(call: str, results: object, expected: list[str]) -> None:
    if isinstance(results, (list, tuple)) and results and all(isinstance(r, httpx.Response) for r in results):
        raise CheckFailed(f"{call} returned httpx.Response objects, expected their bodies as text: {expected!r}. "
                          "Hint: return [response.text for response in responses].")
    if isinstance(results, (list, tuple)) and results and all(isinstance(r, bytes) for r in results):
        raise CheckFailed(f"{call} returned bytes, expected text: {expected!r}. Hint: response.text, not "
                          "response.content.")
    if isinstance(results, (list, tuple)) and list(results) == expected:
        return
    try:
        reordered = sorted(results) == sorted(expected)
    except TypeError:
        reordered = False
    hint = ("asyncio.gather returns the results in the order of its arguments; keep that order." if reordered
            else "request exactly the URLs you were given and return a list of their bodies, response.text.")
    raise CheckFailed(f"{call} returned {_texts(results)!r}, expected {expected!r}. Hint: {hint}")


@task("fetch-many", requirements={
    "text": "fetch_all returns the bodies as text",
    "in-order": "fetch_all returns the bodies in the order of `urls`, not in the order they finish",
    "uses-client": "fetch_all requests every URL with the client it is given",
    "concurrent": "the requests run together, in about the time of the slowest, not one after another",
    "all-at-once": "all six requests are in flight at the same time, not a few at a time",
})
async def fetch_many(fetch_all) -> str:
    async_function(fetch_all, "fetch_all")
    delays = {"alpha": 0.3, "bravo": 0.1, "charlie": 0.25, "delta": 0.15, "echo": 0.2, "foxtrot": 0.1}
    sent: list[str] = []

    async def count(request: httpx.Request) -> None:
        sent.append(request.url.path)

    # made before the loop is watched: making one blocks briefly
    client = httpx.AsyncClient(timeout=3, event_hooks={"request": [count]})
    async with client, _api() as (base, stats):
        urls = [f"{base}echo/{word}?delay={delay}" for word, delay in delays.items()]
        call = f"fetch_all(client, {len(urls)} URLs)"
        requirement("concurrent")
        start = time.perf_counter()
        try:
            results = await fetch_all(client, urls)
        except httpx.HTTPError as exc:
            raise CheckFailed(f"{call} raised {type(exc).__name__}: {exc}. Hint: request the URLs you were "
                              "given with the client you were given, client.get(url).") from None
        took = time.perf_counter() - start
        requirement("text")
        _check_bodies(call, results, list(delays))
        requirement("uses-client")
        if len(sent) < len(urls):
            raise CheckFailed(f"{call} sent {_requests(len(sent))} with the client it was given, for "
                              f"{len(urls)} URLs. Hint: use the client you were given, client.get(url): "
                              "a client of your own opens new connections and is not the one the caller set up.")
        requirement("concurrent")
        serial = sum(delays.values())
        if took > 0.6:
            _not_blocked(stats["watch"])
            raise CheckFailed(
                f"{call} took {took:.1f} s, with at most {_requests(stats['peak'])} at once on the server; "
                f"concurrently they take about {max(delays.values())} s, the slowest one, and one after another "
                f"{serial:.2f} s. Hint: start them all at once with asyncio.gather(*(client.get(url) for url in urls)).")
        requirement("all-at-once")
        if stats["peak"] < len(urls):
            raise CheckFailed(
                f"{call}: the server never saw more than {_requests(stats['peak'])} at once, expected all "
                f"{len(urls)}. Hint: don't split the URLs into batches: start them all at once with "
                "asyncio.gather(*(client.get(url) for url in urls)).")
    return f"{len(urls)} bodies in order, all {len(urls)} requests at once, in about the time of the slowest"


_SAFE_CASES = [
    # (requirement, label, path or None for a closed port, expected, hint)
    ("ok", "a 200 answer", "echo/fine", ("ok", "fine"), "return ('ok', response.text) when the status is 2xx."),
    ("ok", "a 201 answer", "status/201", ("ok", "status 201"),
     "every status from 200 to 299 is a success, not only 200: response.raise_for_status() lets them all "
     "through (or test response.is_success)."),
    ("client-error", "a 404 answer", "status/404", ("http-error", 404),
     "httpx does not raise for an error status: call response.raise_for_status() and catch "
     "httpx.HTTPStatusError, whose .response.status_code is the status."),
    ("client-error", "a 400 answer", "status/400", ("http-error", 400),
     "400 is an error status too: response.raise_for_status() raises httpx.HTTPStatusError for every 4xx."),
    ("server-error", "a 500 answer", "status/500", ("http-error", 500),
     "4xx and 5xx are both error statuses: response.raise_for_status() raises httpx.HTTPStatusError for both "
     "(response.is_client_error is only the 4xx ones)."),
    ("server-error", "a 503 answer", "status/503", ("http-error", 503),
     "every 5xx is an error status: response.raise_for_status() raises httpx.HTTPStatusError for all of them."),
    ("unreachable", "a port where nothing listens", None, ("unreachable", None),
     "catch httpx.ConnectError (or the broader httpx.TransportError, after the timeouts) and return "
     "('unreachable', None)."),
    ("timeout", "an answer slower than the client's 0.5 s timeout", "hang", ("timeout", None),
     "catch httpx.TimeoutException before any broader error class such as httpx.TransportError or "
     "httpx.HTTPError, and return ('timeout', None)."),
]


@task("handle-errors", requirements={
    "ok": "a status from 200 to 299 gives ('ok', text), 201 as well as 200",
    "client-error": "a 4xx status gives ('http-error', status), 400 as well as 404",
    "server-error": "a 5xx status gives ('http-error', status), 500 and 503",
    "unreachable": "a port where nothing listens gives ('unreachable', None), not an exception",
    "timeout": "an answer slower than the client's timeout gives ('timeout', None), not an exception",
})
async def handle_errors(safe_get) -> str:
    async_function(safe_get, "safe_get")
    client = httpx.AsyncClient(timeout=0.5)
    async with client, _api() as (base, _):
        for key, label, path, expected, hint in _SAFE_CASES:
            requirement(key)
            url = base + path if path is not None else _closed_port_url()
            shown = url.replace(base, "/") if path is not None else "http://127.0.0.1:<closed port>/"
            call = f"safe_get(client, {shown!r}) for {label}"
            try:
                result = await asyncio.wait_for(safe_get(client, url), 3.0)
            except TimeoutError:
                raise CheckFailed(f"{call} did not return within 3 s. Hint: use the client you were given, "
                                  "whose timeout is 0.5 s.") from None
            except httpx.HTTPError as exc:
                raise CheckFailed(f"{call} raised {type(exc).__name__}, expected it to return {expected!r}. "
                                  f"Hint: {hint}") from None
            if result != expected:
                raise CheckFailed(f"{call} returned {result!r}, expected {expected!r}. Hint: {hint}")
    return ("200 and 201 → ('ok', text), 400, 404, 500 and 503 → ('http-error', status), closed port → "
            "unreachable, slow → timeout")


@task("limit-concurrency", budget=8.0, requirements={
    "in-order": "fetch_limited returns the bodies as text, in the order of `urls`, not in the order they finish",
    "at-most-limit": "never more than `limit` requests are in flight at once",
    "concurrent": "up to `limit` requests run at once, not one at a time",
    "uses-limit": "the most in flight at once is the `limit` given, not a fixed number",
    "next-at-once": "a new request starts as soon as one in flight finishes, not once a whole batch is done",
    "closes-client": "fetch_limited closes the client it created before it returns",
})
async def limit_concurrency(fetch_limited) -> str:
    async_function(fetch_limited, "fetch_limited")
    for count, limit in ((7, 3), (6, 2)):
        async with _api(slots=limit, total=count) as (base, stats):
            words = [f"w{i}" for i in range(count)]
            delays = [0.6] + [0.1] * (count - 1)  # the first is slow: the others finish first, while it runs
            urls = [f"{base}echo/{word}?delay={delay}" for word, delay in zip(words, delays)]
            call = f"fetch_limited({count} URLs, limit={limit})"
            requirement("in-order")
            try:
                results = await fetch_limited(urls, limit)
            except httpx.HTTPError as exc:
                raise CheckFailed(f"{call} raised {type(exc).__name__}: {exc}. Hint: create an "
                                  "httpx.AsyncClient inside, and close it (async with).") from None
            _check_bodies(call, results, words)
            requirement("at-most-limit")
            if stats["peak"] > limit:
                raise CheckFailed(
                    f"{call}: the server saw {stats['peak']} requests at once, expected at most {limit}. Hint: "
                    "make an asyncio.Semaphore(limit) and send each request inside `async with semaphore:`, "
                    "or create the client with limits=httpx.Limits(max_connections=limit).")
            if stats["peak"] <= 1:
                requirement("concurrent")
                raise CheckFailed(f"{call}: the server never saw more than {_requests(stats['peak'])} at once, "
                                  f"expected {limit}. Hint: don't await them one by one: start every request "
                                  "with asyncio.gather and let the semaphore (or the client's limits) hold back "
                                  "the rest.")
            requirement("uses-limit")
            if stats["peak"] < limit:
                raise CheckFailed(f"{call}: the server never saw more than {_requests(stats['peak'])} at once, "
                                  f"expected {limit}. Hint: use the limit you were given, asyncio.Semaphore(limit), "
                                  "not a fixed number.")
            requirement("next-at-once")
            if stats["idle"] > 0.25:
                raise CheckFailed(
                    f"{call}: fewer than {limit} requests were in flight for {stats['idle']:.1f} request-seconds "
                    "while others still waited to start: the quick ones of a batch waited for the slow one. Hint: "
                    "don't send them in batches of `limit`: start every request with asyncio.gather and make each "
                    "wait for its turn in `async with semaphore:`, so one starts as soon as another finishes.")
            requirement("closes-client")
            for _ in range(50):  # a closed client's connections close at once; give the server a moment to see it
                if not stats["open"]():
                    break
                await asyncio.sleep(0.01)
            else:
                raise CheckFailed(
                    f"{call} returned, but left {stats['open']()} connection(s) to the server open: the client "
                    "was never closed. Hint: create it with `async with httpx.AsyncClient() as client:`, which "
                    "closes it when the block ends, and return from inside the block.")
    return ("7 URLs with limit 3 and 6 URLs with limit 2: all bodies in order, exactly the limit in flight, "
            "the next request starting as one finishes, and the client closed")
