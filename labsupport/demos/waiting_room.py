"""A list of chat messages that long-poll handlers can wait on (exercise 07 and its check).

Example, inside a coroutine on the loop that serves the handlers::

    from labsupport.demos.waiting_room import WaitingRoom
    room = WaitingRoom()
    waiter = room.wait()     # a future: a handler awaits it until the next message
    room.waiting             # 1
    room.add("hello")        # wakes every waiter
    room.waiting             # 0
"""

from __future__ import annotations

import asyncio

import tornado.locks

__all__ = ["WaitingRoom"]


class WaitingRoom:
    """``messages`` in a list; ``wait()`` gives a future that resolves at the next ``add``."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self._changed = tornado.locks.Condition()
        self._waiters: set[asyncio.Future] = set()

    def add(self, text: str) -> None:
        """Append a message and wake every waiting request."""
        self.messages.append(text)
        self._changed.notify_all()

    def wait(self) -> asyncio.Future:
        """A future that resolves at the next message; cancel it when its client leaves."""
        waiter = self._changed.wait()
        self._waiters.add(waiter)
        waiter.add_done_callback(self._waiters.discard)
        return waiter

    @property
    def waiting(self) -> int:
        """How many waits are neither woken nor cancelled."""
        return sum(not waiter.done() for waiter in self._waiters)  # done ones leave the set a moment later
