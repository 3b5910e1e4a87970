"""The WebSocket side of the chat: one ``ChatSocketHandler`` per connected browser tab.

Frames in are JSON like ``{"body": "hello"}``; frames out are messages like
``{"id": 7, "body": "hello"}``. Bad input closes that one socket with a code that says why.

Example::

    import tornado.web
    from chatroom.room import Room
    from chatroom.sockets import ChatSocketHandler
    room = Room()
    app = tornado.web.Application([(r"/chatsocket", ChatSocketHandler, {"room": room})],
                                  websocket_max_message_size=4096)   # bigger frames: close 1009
"""

from __future__ import annotations

import json

import tornado.websocket

from .messages import RateLimit
from .room import Room

__all__ = ["INVALID_DATA", "MAX_UNSENT", "MESSAGE_TOO_BIG", "POLICY_VIOLATION", "TRY_AGAIN_LATER",
           "ChatSocketHandler"]

INVALID_DATA = 1007       # the frame is not the JSON we expect
POLICY_VIOLATION = 1008   # too many messages too fast
MESSAGE_TOO_BIG = 1009    # sent by Tornado itself for frames over websocket_max_message_size
TRY_AGAIN_LATER = 1013    # this client fell too far behind: reconnect, and open() catches you up
MAX_UNSENT = 100          # messages that may wait to go out to one socket beyond its catch-up; then 1013


class ChatSocketHandler(tornado.websocket.WebSocketHandler):
    """A chat client connected over a WebSocket."""

    def initialize(self, room: Room) -> None:
        self.room = room
        count, per = room.rate
        self.limit = RateLimit(count, per=per)
        self.unsent = 0  # messages written but not yet handed to the network: a client that
                         # stops reading makes this grow, and the server's memory with it
        self.room_for = MAX_UNSENT

    def open(self) -> None:
        """Called when the handshake is done: join the room and catch up on recent messages."""
        self.room.sockets.add(self)
        history = self.room.buffer.since(0)
        self.room_for = MAX_UNSENT + len(history)  # the catch-up may all be waiting at once
        for message in history:
            self.send(message)

    def on_message(self, frame: str | bytes) -> None:
        """Called for each frame from the client: publish it, or close this socket if it is bad."""
        if self.ws_connection is None or self.ws_connection.is_closing():
            return  # frames already on their way when we closed this socket count for nothing
        if not self.limit.allow():
            count, per = self.room.rate
            self.close(POLICY_VIOLATION, f"rate limit: more than {count} messages in {per:g} s")
            return
        try:
            body = json.loads(frame)["body"]
        except (ValueError, KeyError, TypeError, RecursionError):  # RecursionError: [[[[...]]]]
            body = None
        if not isinstance(body, str) or not body.strip():
            self.close(INVALID_DATA, 'expected JSON like {"body": "hello"}')
            return
        self.room.publish(body.strip())

    def send(self, message: dict) -> None:
        """Send one message; a socket that has gone leaves the room, one that stopped reading is closed."""
        # unsent counts down a loop turn after the bytes went out, so a burst of publishes can
        # outrun it: a client is behind only when Tornado is holding bytes for it as well
        behind = self.ws_connection is not None and self.ws_connection.stream.writing()
        if self.unsent >= self.room_for and behind:
            self.room.sockets.discard(self)
            self.close(TRY_AGAIN_LATER, f"too far behind: {self.unsent} messages not yet sent")
            return
        try:
            sent = self.write_message(message)
        except tornado.websocket.WebSocketClosedError:
            self.room.sockets.discard(self)
            return
        self.unsent += 1
        sent.add_done_callback(self._sent)

    def _sent(self, sent) -> None:
        """Called when a message has gone out, or its connection has gone (which we note, so
        asyncio never logs "exception was never retrieved")."""
        self.unsent -= 1
        if self.unsent <= MAX_UNSENT:
            self.room_for = MAX_UNSENT  # the catch-up has gone out: back to the usual allowance
        if sent.cancelled() or sent.exception() is not None:
            self.room.sockets.discard(self)

    def on_close(self) -> None:
        """Called when the connection is gone, whoever closed it."""
        self.room.sockets.discard(self)
