"""The two small apps exercise 12 runs in production: one says who it thinks asked, one sleeps on request.

Example, inside a coroutine (a notebook cell)::

    from tornado.httpserver import HTTPServer
    from tornado.netutil import bind_sockets
    from labsupport.demos.production import SleepyApp, make_who_app

    app = SleepyApp()
    server = HTTPServer(app)
    server.add_sockets(bind_sockets(0, "127.0.0.1"))
    # GET /sleep?seconds=0.5 answers "slept 0.5 s" half a second later;
    # meanwhile len(app.in_progress) is 1
    server.stop()
    await server.close_all_connections()

``make_who_app()`` answers ``GET /`` with ``{"remote_ip": ..., "protocol": ...}``, what Tornado
made of the client's address and scheme.
"""

from __future__ import annotations

import asyncio
import weakref

import tornado.web

__all__ = ["SleepView", "SleepyApp", "WhoView", "make_who_app"]


class WhoView(tornado.web.RequestHandler):
    """GET /: the client's address and scheme, as the server worked them out."""

    def get(self) -> None:
        self.write({"remote_ip": self.request.remote_ip, "protocol": self.request.protocol})


def make_who_app(**settings) -> tornado.web.Application:
    """The app behind the proxy: ``GET /`` answers ``{"remote_ip": ..., "protocol": ...}``."""
    return tornado.web.Application([(r"/", WhoView)], **settings)


class SleepView(tornado.web.RequestHandler):
    """GET /sleep?seconds=S: wait S seconds (0 to 10), then answer "slept S s"."""

    async def get(self) -> None:
        seconds = min(max(float(self.get_argument("seconds", "0")), 0.0), 10.0)
        await asyncio.sleep(seconds)
        self.write(f"slept {seconds:g} s\n")


class SleepyApp(tornado.web.Application):
    """An app that knows its requests in progress, like lesson 12's TodoApp: ``app.in_progress``."""

    def __init__(self, **settings) -> None:
        settings.setdefault("log_function", lambda handler: None)  # no access log under the cells
        super().__init__([(r"/sleep", SleepView)], **settings)
        # The requests a view is working on; a weak set forgets one whose client left mid-body.
        self.in_progress: weakref.WeakSet = weakref.WeakSet()

    def get_handler_delegate(self, request, *args, **kwargs):
        """Called for each request, when Tornado has chosen its view: it is in progress now."""
        self.in_progress.add(request)
        return super().get_handler_delegate(request, *args, **kwargs)

    def log_request(self, handler: tornado.web.RequestHandler) -> None:
        """Called when a view has finished its answer: the request is done."""
        self.in_progress.discard(handler.request)
        super().log_request(handler)

    async def close(self) -> None:
        """Called at the end of a drain, like TodoApp's; this app opened nothing that needs closing."""
