"""The helpers the checks share: watch the loop, serve a learner's code, and compare what comes back.

Example, inside a task's check (which runs on the checker thread's loop)::

    async with served([(r"/hello/([a-z]+)", GreetHandler)]) as site:
        site.expect(await site.get("/hello/ada"), 200, text="Hello, ada!", hint="...")
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import inspect
import itertools
import json
import threading
import time
from collections.abc import AsyncIterator, Iterable

import httpx
import tornado.web
from tornado.tcpserver import TCPServer

from ..check import CheckFailed
from ...servers.serving import Server, route_rules, serve

__all__ = ["LoopWatch", "STALL_LIMIT", "Site", "async_function", "learner_class", "not_done",
           "request_line", "route_rules", "serve_quietly", "serve_standalone", "served", "served_in_thread",
           "watched"]

# Seconds the loop may stall before a check says something blocked it. Every wrong answer that
# blocks does so for 0.3 s or more (time.sleep(0.3), a 0.3 s upstream, about 0.6 s of scrypt),
# while a busy shared machine can stall a correct answer's loop for 0.15 s.
STALL_LIMIT = 0.25
_numbers = itertools.count(1)


class LoopWatch:
    """Measures the longest stall of the running loop: ``async with LoopWatch() as watch: ...``."""

    def __init__(self, *, every: float = 0.01) -> None:
        self.every = every
        self.longest = 0.0
        self._task: asyncio.Task | None = None

    @property
    def blocked(self) -> bool:
        """True when the loop stalled for longer than :data:`STALL_LIMIT`: something blocked it."""
        return self.longest > STALL_LIMIT

    async def _beat(self) -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(self.every)
            now = time.perf_counter()
            self.longest = max(self.longest, now - last - self.every)
            last = now

    async def __aenter__(self) -> "LoopWatch":
        self._task = asyncio.ensure_future(self._beat())
        await asyncio.sleep(0)
        return self

    async def __aexit__(self, *exc_info) -> None:
        await asyncio.sleep(self.every * 2)  # one more beat, to measure a stall that just ended
        self._task.cancel()


def async_function(answer: object, name: str, *, method: str | None = None, ask_if_run: bool = True):
    """Return ``answer`` if it is an ``async def`` function, else fail saying what it is instead.

    With ``method``, say ``"visit(self, page)"``, ``answer`` must be a class whose method of that
    name is an ``async def``. ``ask_if_run=False`` leaves out "Did you run the cell that defines it?".
    inspect's test, not asyncio's (deprecated since Python 3.14), and it sees through bound methods.
    """
    if method is None:
        found, wanted = answer, f"{name} should be an `async def` function, not {type(answer).__name__}."
    else:
        found = getattr(answer, method.partition("(")[0], None) if isinstance(answer, type) else None
        wanted = f"{name} should be a class with an `async def {method}` method."
    if inspect.iscoroutinefunction(found):
        return answer
    raise CheckFailed(wanted + (" Did you run the cell that defines it?" if ask_if_run else ""))


def learner_class(answer: object, name: str, base: type = tornado.web.RequestHandler) -> type:
    """Return ``answer`` if it is a subclass of ``base``, else fail with what it is instead."""
    if isinstance(answer, type) and issubclass(answer, base):
        return answer
    raise CheckFailed(f"{name} should be a class that subclasses {base.__module__}.{base.__name__}, "
                      f"not {type(answer).__name__}. Did you run the cell that defines it?")


def not_done(errors: Iterable[BaseException]) -> None:
    """Report a stub as "not done yet" rather than as a wrong answer: raise NotImplementedError if ``errors`` has one."""
    if any(isinstance(error, NotImplementedError) for error in errors):
        raise NotImplementedError


def watched(handler: type, errors: list[BaseException]) -> type:
    """A subclass of the learner's handler that records its exceptions in ``errors`` instead of logging them.

    HTTP errors are not recorded: they are answers, which the check compares anyway. Hooks
    Tornado calls outside the handler method (set_default_headers, write_error) are wrapped too,
    so a stub there is reported as such rather than as a dropped connection.
    """
    def record(exc: BaseException) -> None:
        if not isinstance(exc, tornado.web.HTTPError):
            errors.append(exc)

    def log_exception(self, typ, value, tb) -> None:
        record(value)

    def recorded(method_name: str):
        original = getattr(handler, method_name)

        def hook(self, *args, **kwargs):
            try:
                return original(self, *args, **kwargs)
            except Exception as exc:
                record(exc)
                raise
        return hook

    return type(handler.__name__, (handler,), {
        "log_exception": log_exception,
        "set_default_headers": recorded("set_default_headers"),
        "write_error": recorded("write_error"),
    })


def request_line(response: httpx.Response) -> str:
    """What was asked for, as the learner would write it: ``GET /hello/ada``."""
    return f"{response.request.method} {response.request.url.raw_path.decode()}"


def _show(response: httpx.Response) -> str:
    if response.text.lstrip().startswith("<html>"):  # Tornado's default error page
        return f"{response.status_code} with Tornado's HTML error page"
    body = response.text if len(response.text) <= 60 else response.text[:57] + "..."
    return f"{response.status_code} {body!r}"


class Site:
    """A served app plus a client; ``errors`` holds what the handlers raised."""

    def __init__(self, base: str, client: httpx.AsyncClient, errors: list[BaseException]) -> None:
        self.base, self.client, self.errors = base, client, errors

    async def request(self, method: str, path: str, **kwargs) -> httpx.Response:
        try:
            return await self.client.request(method, self.base + path.lstrip("/"), **kwargs)
        except httpx.HTTPError as exc:
            raise CheckFailed(f"{method} {path} got no answer ({type(exc).__name__}).{self.raised()}") from None

    async def get(self, path: str, **kwargs) -> httpx.Response:
        return await self.request("GET", path, **kwargs)

    async def post(self, path: str, **kwargs) -> httpx.Response:
        return await self.request("POST", path, **kwargs)

    def raised(self, *, who: str = "code") -> str:
        """The sentence ' Your code raised X: ...' naming the learner's last exception, or '' if none.

        A stub's NotImplementedError is reported as "not done yet" instead (see :func:`not_done`).
        """
        not_done(self.errors)
        return f" Your {who} raised {type(self.errors[-1]).__name__}: {self.errors[-1]}." if self.errors else ""

    def expect(self, response: httpx.Response, status: int, *, text: str | None = None, data: object = None,
               headers: dict[str, str] | None = None, hint: str) -> None:
        """Fail with what was expected and what came back unless ``response`` matches."""
        not_done(self.errors)
        wanted = (f"{status}" + (f" {text!r}" if text is not None else "")
                  + (f" {json.dumps(data)}" if data is not None else ""))
        problem = None
        if response.status_code != status:
            problem = "status"
        elif text is not None and response.text != text:
            problem = "body"
        elif data is not None:
            try:
                if response.json() != data:
                    problem = "body"
            except ValueError:
                problem = "body (not JSON)"
        for name, value in (headers or {}).items():
            if problem is None and response.headers.get(name) != value:
                problem = f"header {name}: got {response.headers.get(name)!r}, expected {value!r}"
                wanted = f"{name}: {value}"
        if problem is None:
            return
        raise CheckFailed(f"{request_line(response)} answered {_show(response)}, expected {wanted} ({problem})."
                          f"{self.raised(who='handler')} Hint: {hint}")


def serve_standalone(app: tornado.web.Application | TCPServer, *, prefix: str = "check") -> Server:
    """Serve ``app`` on the running loop under a fresh name: ``check-1``, ``check-tcp-2``, ...

    Standalone: it never replaces a server of the learner's (a check may run in the cell that
    started one), nor is replaced by one.
    """
    return serve(app, name=f"{prefix}-{next(_numbers)}", standalone=True)


def serve_quietly(routes: list[tuple], **settings) -> Server:
    """Serve ``routes`` with :func:`serve_standalone`, with no access log.

    The check reports what matters; log lines written from the checker thread would land in
    the notebook in no reliable order.
    """
    return serve_standalone(tornado.web.Application(routes, log_function=lambda handler: None, **settings))


@contextlib.asynccontextmanager
async def served(routes: list[tuple], **settings) -> AsyncIterator[Site]:
    """Serve ``routes`` (an Application with ``settings``) on this loop; fail if a handler stalled the loop."""
    errors: list[BaseException] = []
    routes = [(pattern, watched(handler, errors), *rest) for pattern, handler, *rest in routes]
    server = serve_quietly(routes, **settings)
    client = httpx.AsyncClient(timeout=3)
    try:
        async with LoopWatch() as watch:
            yield Site(server.url, client, errors)
    finally:
        await client.aclose()
        await server.aclose()
    if watch.blocked:
        raise CheckFailed(f"your handler blocked the event loop for {watch.longest:.1f} s, so every other "
                          "client waited. Use `await` for waiting (await asyncio.sleep, an async client), "
                          "never time.sleep or a blocking call.")


@contextlib.asynccontextmanager
async def served_in_thread(routes: list[tuple]) -> AsyncIterator[str]:
    """Serve ``routes`` on a loop of its own in another thread; yield its base URL.

    For an upstream service: a learner's blocking call to it then waits instead of deadlocking
    the loop that would have to answer it.
    """
    ready: concurrent.futures.Future[str] = concurrent.futures.Future()
    stop = threading.Event()

    async def run() -> None:
        server = serve_quietly(routes)
        ready.set_result(server.url)
        while not stop.is_set():
            await asyncio.sleep(0.02)
        await server.aclose()

    thread = threading.Thread(target=asyncio.run, args=(run(),), name="labsupport-upstream", daemon=True)
    thread.start()
    try:
        yield await asyncio.wrap_future(ready)
    finally:
        stop.set()
        await asyncio.to_thread(thread.join, 2)
