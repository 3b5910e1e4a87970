"""One chat room: the message buffer that long-polling clients read, and the connected websockets.

Example::

    from chatroom.room import Room
    room = Room()
    room.publish("hello")      # {'id': 1, 'body': 'hello'}: stored, and sent to every socket
    room.close()               # close frames (1001) to every socket; parked polls wake up
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol

from .messages import MessageBuffer

__all__ = ["GOING_AWAY", "Room"]

GOING_AWAY = 1001  # the close code for "the server is shutting down"


class _Socket(Protocol):
    def send(self, message: dict) -> None: ...
    def close(self, code: int | None = None, reason: str | None = None) -> None: ...


class Room:
    """Messages shared by every client, whichever way it connects.

    ``rate`` is the per-socket limit: at most ``rate[0]`` messages in any ``rate[1]`` seconds.
    """

    def __init__(self, *, history: int = 100, rate: tuple[int, float] = (10, 2.0)) -> None:
        self.buffer = MessageBuffer(size=history)
        self.sockets: set[_Socket] = set()
        self.rate = rate

    def publish(self, body: str) -> dict:
        """Store a message (long polls wake up) and send it to every connected socket."""
        message = self.buffer.add(body)
        for socket in list(self.sockets):
            socket.send(message)
        return message

    def close(self, code: int = GOING_AWAY, reason: str = "the chat server is shutting down") -> int:
        """Send every socket a close frame with ``code`` and wake the long polls; return how many sockets."""
        sockets = list(self.sockets)
        for socket in sockets:
            socket.close(code, reason)
        self.buffer.close()
        return len(sockets)

    async def wait_empty(self, timeout: float = 2.0) -> bool:
        """Wait until every socket has left (clients answer a close frame); False after ``timeout``.

        Always yields to the loop once, even with no sockets: the long polls that ``close()``
        woke answer then, before the caller closes their connections (``close_all_connections``
        does not wait for requests in progress).
        """
        await asyncio.sleep(0)
        deadline = time.monotonic() + timeout
        while self.sockets and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        return not self.sockets
