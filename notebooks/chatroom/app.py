"""The chat application: the page, the long-polling endpoint and the websocket, on one room.

Example, in a notebook cell next to the ``chatroom`` folder::

    import chatroom, labsupport
    app = chatroom.make_app()
    server = labsupport.serve(app, name="chat", **chatroom.SERVER_OPTIONS)  # open it in two tabs
    await chatroom.shutdown(app, server)          # close frames first, then the server
"""

from __future__ import annotations

from pathlib import Path

import tornado.web

from .longpoll import MessagesHandler
from .room import GOING_AWAY, Room
from .sockets import ChatSocketHandler

__all__ = ["SERVER_OPTIONS", "MainHandler", "make_app", "shutdown"]

HERE = Path(__file__).parent


class MainHandler(tornado.web.RequestHandler):
    """The chat page, for the WebSocket client (``/``) or the long-polling one (``/poll``)."""

    def initialize(self, transport: str) -> None:
        self.transport = transport

    def get(self) -> None:
        self.render("index.html", transport=self.transport,
                    max_bytes=self.settings["websocket_max_message_size"])


# What the HTTP server should enforce for this app, in python -m chatroom and in lesson 07: a
# body is one chat message, so refuse a much bigger one from its Content-Length, before reading
# it; close a connection that takes over 10 s to send its headers or its body, or sits idle
# that long between requests (Tornado's defaults: 100 MB, an hour for headers, no limit for a body).
SERVER_OPTIONS = {"max_body_size": 64 * 1024, "idle_connection_timeout": 10.0, "body_timeout": 10.0}


def make_app(*, history: int = 100, rate: tuple[int, float] = (10, 2.0), max_message_bytes: int = 4096,
             poll_timeout: float = 20.0, **settings) -> tornado.web.Application:
    """The chat app; its room is ``app.room``. Other keyword arguments are Tornado settings.

    ``history`` messages are kept for late joiners, each socket may send ``rate[0]`` messages
    in any ``rate[1]`` seconds, and a message (a frame or a posted body) may have at most
    ``max_message_bytes`` bytes.
    """
    room = Room(history=history, rate=rate)
    routes = [
        (r"/", MainHandler, {"transport": "websocket"}),
        (r"/poll", MainHandler, {"transport": "poll"}),
        (r"/messages", MessagesHandler, {"room": room}),
        (r"/chatsocket", ChatSocketHandler, {"room": room}),
    ]
    defaults = {
        "template_path": str(HERE / "templates"),
        "static_path": str(HERE / "static"),
        "xsrf_cookies": True,
        # Not "_xsrf": behind JupyterHub this page shares its cookies with Jupyter's own pages,
        # and overwriting Jupyter's _xsrf cookie would break the learner's JupyterLab tab.
        "xsrf_cookie_name": "chat_xsrf",
        "websocket_max_message_size": max_message_bytes,
        "poll_timeout": poll_timeout,
    }
    app = tornado.web.Application(routes, **{**defaults, **settings})
    app.room = room
    return app


async def shutdown(app: tornado.web.Application, server, *, timeout: float = 2.0) -> int:
    """Close every chat socket with 1001 (going away), wake the long polls, then stop ``server``.

    ``server`` is what ``labsupport.serve`` returned. Waits up to ``timeout`` seconds for the
    clients to answer the close frames; returns how many sockets were open.
    """
    closed = app.room.close(GOING_AWAY)
    await app.room.wait_empty(timeout)
    await server.aclose()
    return closed
