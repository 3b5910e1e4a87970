"""Serve a Tornado application on the notebook kernel's own running event loop.

Example (an ordinary notebook cell, no ``await`` needed)::

    import tornado.web, labsupport

    class HelloHandler(tornado.web.RequestHandler):
        def get(self):
            self.write("Hello, world")

    server = labsupport.serve(tornado.web.Application([(r"/", HelloHandler)]))
    server.url      # 'http://127.0.0.1:51234/'; re-running the cell replaces the server

A raw TCP server (a ``tornado.tcpserver.TCPServer`` instance) is served the same way::

    echo = labsupport.serve(EchoServer())
    echo.port       # 51235; echo.url is 'tcp://127.0.0.1:51235'
"""

from __future__ import annotations

import asyncio
import errno
import html
import ipaddress
import socket
import weakref
from collections.abc import Iterator

import tornado.routing
import tornado.web
from tornado.httpserver import HTTPServer
from tornado.iostream import IOStream
from tornado.netutil import bind_sockets
from tornado.tcpserver import TCPServer

from . import registry
from ..kernel.cell_logging import show_tornado_warnings
from ..errors import NoRunningLoopError, PortInUseError, ServeError
from .links import ServerStatus, browser_url, link_html, local_url
from ..watch.request_log import RequestLog, attach
from ..watch.request_view import RequestView

__all__ = ["Server", "route_rules", "serve"]


class _TrackingHTTPServer(HTTPServer):
    """An HTTPServer that remembers every stream it accepted, websockets included.

    ``HTTPServer.close_all_connections`` forgets a connection once it is upgraded to a
    websocket, so stopping a server with only that would leave websocket clients hanging.
    """

    def initialize(self, *args, **kwargs) -> None:  # called by Configurable.__new__
        super().initialize(*args, **kwargs)
        self.streams: weakref.WeakSet[IOStream] = weakref.WeakSet()

    def handle_stream(self, stream: IOStream, address: tuple) -> None:
        self.streams.add(stream)
        super().handle_stream(stream, address)


def _track_streams(tcp_server: TCPServer) -> weakref.WeakSet[IOStream]:
    """Make a plain ``TCPServer`` remember its streams, so stopping it can close them."""
    streams: weakref.WeakSet[IOStream] = weakref.WeakSet()
    handle_stream = tcp_server.handle_stream

    def tracking_handle_stream(stream: IOStream, address: tuple):
        streams.add(stream)
        return handle_stream(stream, address)

    tcp_server.handle_stream = tracking_handle_stream  # type: ignore[method-assign]
    return streams


def _close(streams: weakref.WeakSet[IOStream]) -> int:
    open_streams = [s for s in list(streams) if not s.closed()]
    for stream in open_streams:
        stream.close()
    return len(open_streams)


class Server:
    """A Tornado app (or TCP server) listening on this kernel's loop; made by :func:`serve`.

    ``url`` and ``port`` say where it listens; ``stop()`` stops it at once (connections close in
    the background) and ``await aclose()`` also waits until every connection has closed.
    """

    def __init__(self, *, name: str, tcp_server: TCPServer, streams: weakref.WeakSet[IOStream],
                 host: str, port: int, loop: asyncio.AbstractEventLoop,
                 origin: registry.Origin) -> None:
        self.name = name
        self.host = host
        self.port = port
        self.origin = origin
        self._tcp = tcp_server
        self._streams = streams
        self._loop = loop
        self._closing: asyncio.Task | None = None
        self._view: RequestView | None = None
        self.status: ServerStatus = "listening"

    @property
    def is_http(self) -> bool:
        """True for a web app, False for a raw TCP server."""
        return isinstance(self._tcp, HTTPServer)

    @property
    def url(self) -> str:
        """Where to connect from this kernel: ``http://127.0.0.1:51234/`` or ``tcp://127.0.0.1:51234``."""
        return local_url(self.host, self.port) if self.is_http else f"tcp://{self.host}:{self.port}"

    @property
    def browser_url(self) -> str:
        """The URL to open in the learner's browser (through the hub's proxy when there is one)."""
        return browser_url(self.port, host=self.host)

    def watch(self, *, limit: int = 200) -> RequestView:
        """Show the requests reaching this server: live in JupyterLab, as stable text elsewhere.

        Keeps the last ``limit`` requests (and counts of all); calling it again returns the same
        view. Example: ``view = server.watch()``, then ``print(view.summary())``.
        """
        if not self.is_http:
            raise ServeError(f"watch() shows HTTP requests; {self.name!r} is a raw TCP server.")
        if self._view is not None and (self._view.status == "watching" or self.status != "listening"):
            return self._view
        log = RequestLog(limit=limit)
        connections = self._tcp._connections  # this server's own, when another server shares the app
        detach = attach(self._tcp.request_callback, log,  # type: ignore[arg-type]
                        accept=lambda request: request.server_connection in connections)
        view = RequestView(self.name, log, on_stop=detach)
        _feed_watchdog_reports(view, self._loop)
        view.start()
        self._view = view
        return view

    def stop(self) -> None:
        """Stop listening now and close open connections (websockets too) in the background."""
        if self.status != "listening":
            return
        if self._view is not None:
            self._view.stop()
        registry.forget(self)
        self.status = "stopping"
        try:
            self._tcp.stop()
        except (RuntimeError, ValueError, OSError):  # the loop it ran on is already closed
            pass
        if _loop_or_none() is self._loop and not self._loop.is_closed():
            self._closing = self._loop.create_task(self._close_connections())
        else:  # at interpreter exit or from another loop: close what we can right away
            _close(self._streams)
            self.status = "stopped"

    async def aclose(self, *, timeout: float = 5.0) -> None:
        """Stop, then wait (up to ``timeout`` seconds) until every connection has closed."""
        self.stop()
        if self._closing is not None:
            await asyncio.wait_for(asyncio.shield(self._closing), timeout)

    async def _close_connections(self) -> None:
        _close(self._streams)
        if isinstance(self._tcp, HTTPServer):
            await self._tcp.close_all_connections()
        self.status = "stopped"

    def __repr__(self) -> str:
        return f"Server({self.name!r}, {self.url!r}, {self.status})"

    def _repr_html_(self) -> str:
        if not self.is_http:  # a browser cannot talk to a raw TCP server: no link
            return f"<div><b>{html.escape(self.name)}</b> · {html.escape(self.url)} · {self.status}</div>"
        return link_html(self.name, self.browser_url, self.status)


def serve(app: tornado.web.Application | TCPServer, *, name: str | None = None, port: int = 0,
          host: str = "127.0.0.1", standalone: bool = False, max_body_size: int | None = None,
          idle_connection_timeout: float | None = None, body_timeout: float | None = None) -> Server:
    """Listen with ``app`` (or a ``TCPServer`` instance) on the running loop; return the :class:`Server`.

    Serving again under the same ``name`` (by default the app's handler names, or the TCP
    server's class name), or re-running the notebook cell that served, stops the earlier
    server first, so re-running a cell is always safe; servers started by one run of a cell
    all stay. ``port=0`` lets the operating system choose a free port. ``standalone=True``
    keeps the server out of that replacing (the exercise checks serve this way).

    ``max_body_size``, ``idle_connection_timeout`` and ``body_timeout`` go to Tornado's
    ``HTTPServer``, for a web app only (Tornado's defaults: 100 MB, an hour to send the headers or
    to sit idle, no limit for a body)::

        server = labsupport.serve(app, max_body_size=64 * 1024, idle_connection_timeout=10)
    """
    http_options = {option: value for option, value in (("max_body_size", max_body_size),
                                                        ("idle_connection_timeout", idle_connection_timeout),
                                                        ("body_timeout", body_timeout)) if value is not None}
    if http_options and isinstance(app, TCPServer):
        raise ServeError(f"{', '.join(http_options)} are options of an HTTP server; a TCPServer "
                         f"takes its own options when you create it.")
    if isinstance(app, TCPServer):
        _check_not_served_before(app)
    elif not isinstance(app, tornado.web.Application):
        raise ServeError(_not_an_app_message(app))
    loop = _running_loop()
    check_host(host)
    if not isinstance(port, int) or not 0 <= port <= 65535:
        raise ServeError(f"port must be an int from 0 to 65535 (0 picks a free port), not {port!r}.")
    if isinstance(app, TCPServer):
        name = name or type(app).__name__
    else:
        name = name or _name_from_app(app)
    origin = registry.current_origin(standalone=standalone)
    name = registry.claim(name, origin)
    try:
        sockets = _bind(port, host)
    except BaseException:
        registry.release(name)
        raise
    if isinstance(app, TCPServer):
        tcp_server: TCPServer = app
        tcp_server._labsupport_served = True  # type: ignore[attr-defined]
        streams = _track_streams(tcp_server)
    else:
        tcp_server = _TrackingHTTPServer(app, **http_options)
        streams = tcp_server.streams
    tcp_server.add_sockets(sockets)
    server = Server(name=name, tcp_server=tcp_server, streams=streams, host=host,
                    port=sockets[0].getsockname()[1], loop=loop, origin=origin)
    registry.add(server)
    show_tornado_warnings()
    if not standalone:
        _watch_the_loop(loop)
    return server


_watched_loops: weakref.WeakSet[asyncio.AbstractEventLoop] = weakref.WeakSet()


def _watch_the_loop(loop: asyncio.AbstractEventLoop) -> None:
    """In a notebook, start the loop watchdog (:func:`labsupport.watch_loop`) the first time a server is served.

    Once per loop: a watchdog the learner stopped stays stopped, and one they configured keeps its threshold.
    """
    from ..errors import WatchdogError
    from ..kernel.extension import loaded
    from ..watch.loop_watchdog import watch_loop, watchdog_of

    if loop in _watched_loops or not loaded():
        return
    _watched_loops.add(loop)
    if watchdog_of(loop) is None:
        try:
            watch_loop(loop=loop, show=False)
        except WatchdogError:  # a loop it cannot time (no selector): the server runs unwatched
            pass


def _feed_watchdog_reports(view: RequestView, loop: asyncio.AbstractEventLoop) -> None:
    """Show the reports of the loop's watchdog (see :func:`labsupport.watch_loop`) in ``view``."""
    from ..watch.loop_watchdog import watchdog_of

    dog = watchdog_of(loop)
    if dog is not None:
        view.unsubscribe = dog.on_report(view.add_block)


def _check_not_served_before(tcp_server: TCPServer) -> None:
    if getattr(tcp_server, "_labsupport_served", False):
        cls = type(tcp_server).__name__
        raise ServeError(f"This {cls} was served before, and a stopped TCPServer cannot listen "
                         f"again. Serve a new one: labsupport.serve({cls}()).")


def _loop_or_none() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _running_loop() -> asyncio.AbstractEventLoop:
    loop = _loop_or_none()
    if loop is None:
        raise NoRunningLoopError(
            "serve() needs a running asyncio event loop. A notebook cell has one; a plain "
            "script does not. In a script, call it inside a coroutine: "
            "`async def main(): labsupport.serve(app); await asyncio.Event().wait()` "
            "and run `asyncio.run(main())`.")
    return loop


def _not_an_app_message(app: object) -> str:
    if isinstance(app, type) and issubclass(app, tornado.web.RequestHandler):
        return (f"serve() needs a tornado.web.Application, not the handler class {app.__name__}. "
                f"Wrap it: serve(tornado.web.Application([(r\"/\", {app.__name__})])).")
    if isinstance(app, (list, tuple)):
        return ("serve() needs a tornado.web.Application, not a list of routes. "
                "Wrap it: serve(tornado.web.Application(routes)).")
    return f"serve() needs a tornado.web.Application, not {type(app).__name__} ({app!r:.60})."


def check_host(host: object) -> None:
    """Raise ServeError unless ``host`` is an IP address or 'localhost' (shared with serve_process)."""
    if not isinstance(host, str) or not host:
        raise ServeError(f"host must be a string such as '127.0.0.1', not {host!r}.")
    if host == "localhost":
        return
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise ServeError(f"host must be an IP address such as '127.0.0.1' (the default, reachable "
                         f"only from this machine) or 'localhost', not {host!r}.") from None


def _bind(port: int, host: str) -> list[socket.socket]:
    try:
        return bind_sockets(port, host)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            holder = registry.holder_of(port)
            who = (f"the server {holder.name!r} started earlier in this kernel "
                   f"(stop it with labsupport.stop({holder.name!r}))" if holder else "another program")
            error = PortInUseError(f"Port {port} on {host} is already in use by {who}. "
                                   f"Use port=0 to let the system pick a free port.")
            error.errno = errno.EADDRINUSE
            raise error from None
        if exc.errno == errno.EADDRNOTAVAIL:
            raise ServeError(f"No network interface of this machine has the address {host!r}; "
                             f"use host='127.0.0.1'.") from None
        raise


def _name_from_app(app: tornado.web.Application) -> str:
    names: list[str] = []
    for rule in route_rules(app.wildcard_router):
        if isinstance(rule.target, type) and rule.target.__name__ not in names:
            names.append(rule.target.__name__)
    return "+".join(names[:3]) or "app"


def route_rules(router: tornado.routing.RuleRouter) -> Iterator[tornado.routing.Rule]:
    """Every rule that leads to a handler, also inside nested routers (a host pattern's routes).

    >>> [rule.target.__name__ for rule in route_rules(app.wildcard_router)]  # doctest: +SKIP
    """
    for rule in router.rules:
        if isinstance(rule.target, tornado.routing.RuleRouter):
            yield from route_rules(rule.target)
        else:
            yield rule


