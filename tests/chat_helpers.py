"""Shared by the chat tests: import ``notebooks/chatroom`` and serve it on a free port.

Example, inside a test coroutine::

    async with serving(rate=(3, 1.0)) as chat:
        alice = await chat.connect()
        await alice.write_message(json.dumps({"body": "hi"}))
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass

import tornado.web
import tornado.websocket
from tornado.httpclient import HTTPRequest

import labsupport

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "notebooks"))  # the lesson imports chatroom from next to it; so do we
import chatroom  # noqa: E402

__all__ = ["Chat", "chatroom", "drain", "serving"]


@dataclass
class Chat:
    """A served chat app: ``url`` for HTTP, ``ws_url`` for the websocket, ``room`` to look inside."""

    app: tornado.web.Application
    server: labsupport.Server

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def ws_url(self) -> str:
        return "ws" + self.server.url.removeprefix("http") + "chatsocket"

    @property
    def room(self) -> chatroom.Room:
        return self.app.room

    async def connect(self, *, history: int = 0, **headers: str) -> tornado.websocket.WebSocketClientConnection:
        """Open a websocket and read the ``history`` messages a late joiner gets first."""
        request = HTTPRequest(self.ws_url, headers=headers or None, request_timeout=5)
        socket = await tornado.websocket.websocket_connect(request)
        for _ in range(history):
            await socket.read_message()
        return socket


@contextlib.asynccontextmanager
async def serving(**settings) -> AsyncIterator[Chat]:
    """Serve ``chatroom.make_app(**settings)`` on a free port; shut it down gracefully after."""
    app = chatroom.make_app(**settings)
    server = labsupport.serve(app, name="chat-test", **chatroom.SERVER_OPTIONS)
    try:
        yield Chat(app, server)
    finally:
        await chatroom.shutdown(app, server, timeout=1)


async def drain(socket: tornado.websocket.WebSocketClientConnection) -> list[str]:
    """Every message until the server closes the socket (then ``socket.close_code`` says why)."""
    messages = []
    while (message := await socket.read_message()) is not None:
        messages.append(message)
    return messages
