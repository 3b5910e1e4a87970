"""The long-polling side of the chat: ``GET /messages?after=N`` waits, ``POST /messages`` adds.

A long poll is an ordinary request that the server answers late: only when there is a
message the client has not seen yet (or after ``poll_timeout`` seconds with an empty list,
so proxies never cut a silent connection). The client then asks again with its new cursor.

Example::

    import tornado.web
    from chatroom.longpoll import MessagesHandler
    from chatroom.room import Room
    app = tornado.web.Application([(r"/messages", MessagesHandler, {"room": Room()})],
                                  xsrf_cookies=True)
"""

from __future__ import annotations

import asyncio

import tornado.httputil
import tornado.web

from .room import Room

__all__ = ["ChatError", "MessagesHandler"]


class ChatError(tornado.web.HTTPError):
    """Stop handling a request and answer ``status``, with ``message`` for the client.

    Not ``HTTPError(status, reason=message)``: ``reason`` is the status line's phrase, and the
    pinned Tornado 6.6.1 replaces one with ``<`` or a character outside Latin-1 by "Unknown".
    """

    def __init__(self, status: int, message: str) -> None:
        super().__init__(status)
        self.message = message


class MessagesHandler(tornado.web.RequestHandler):
    """Read messages by long polling, and post new ones (with an XSRF token)."""

    def initialize(self, room: Room) -> None:
        self.room = room
        self.waiter: asyncio.Future | None = None

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")  # every poll must reach the server

    async def get(self) -> None:
        """Answer with the messages after the cursor ``after``, waiting until there is one."""
        after = self._cursor()
        messages = self.room.buffer.since(after)
        if not messages and not self.room.buffer.closed:
            self.waiter = self.room.buffer.wait(timeout=self.settings.get("poll_timeout", 20.0))
            try:
                await self.waiter
            except asyncio.CancelledError:
                return  # the client left while we waited: nobody to answer
            messages = self.room.buffer.since(after)
        self.write({"messages": messages})

    def post(self) -> None:
        """Publish the form field ``body``; Tornado has checked the XSRF token before this runs."""
        body = self.get_body_argument("body", "").strip()
        limit = self.settings.get("websocket_max_message_size", 4096)
        if not body:
            raise ChatError(400, "the message is empty: send a form field 'body'")
        if len(body.encode()) > limit:
            raise ChatError(413, f"the message is longer than {limit} bytes")
        self.set_status(201)
        self.write(self.room.publish(body))

    def on_connection_close(self) -> None:
        """Called when the client hangs up, also while ``get`` waits: stop waiting for it."""
        if self.waiter is not None:
            self.waiter.cancel()

    def write_error(self, status_code: int, **kwargs) -> None:
        """Every error as JSON with what went wrong, e.g. a missing XSRF token (403)."""
        error = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(error, ChatError):  # not any `message`: a failed fetch's HTTPClientError has one too
            message = error.message
        elif isinstance(error, tornado.web.HTTPError) and error.get_message():
            # HTTPError's docstring keeps its log message from clients, but the only HTTPErrors this
            # handler meets are Tornado's own, whose texts describe the client's own request:
            # "'_xsrf' argument missing from POST" (web.py check_xsrf_cookie) or "Invalid body: ..."
            # (web.py _execute). So raise ChatError here, never HTTPError(status, log_message).
            message = error.get_message()
        else:  # anything else, a crash included: only the standard phrase ("Unknown" for a code without one)
            message = tornado.httputil.responses.get(status_code, "Unknown")
        self.finish({"error": {"status": status_code, "message": message}})

    def _cursor(self) -> int:
        try:
            return max(0, int(self.get_query_argument("after", "0")))
        except ValueError:
            raise ChatError(400, "'after' must be the id of the last message seen") from None
