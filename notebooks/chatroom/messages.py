"""The chat's memory: a bounded buffer of numbered messages, and a per-client rate limit.

Example::

    from chatroom.messages import MessageBuffer
    buffer = MessageBuffer(size=3)
    for text in "abcd":
        buffer.add(text)
    [m["body"] for m in buffer.since(0)]   # ['b', 'c', 'd']: 'a' fell out of the buffer
    buffer.since(3)                        # [{'id': 4, 'body': 'd'}]
"""

from __future__ import annotations

import collections
import datetime
import time
from collections.abc import Callable

import tornado.locks
from tornado.concurrent import Future

__all__ = ["MessageBuffer", "RateLimit"]


class MessageBuffer:
    """The last ``size`` messages, numbered 1, 2, 3, ...; ``wait()`` parks until the next one.

    A client's *cursor* is the id of the last message it has seen: ``since(cursor)`` is what it
    missed. The ids keep growing when old messages fall out, so a cursor never points to the
    wrong message.
    """

    def __init__(self, *, size: int = 100) -> None:
        self.messages: collections.deque[dict] = collections.deque(maxlen=size)
        self.last_id = 0
        self.closed = False
        self._changed = tornado.locks.Condition()
        self._waiters: set[Future] = set()

    def add(self, body: str) -> dict:
        """Store a message under the next id and wake every parked request."""
        self.last_id += 1
        message = {"id": self.last_id, "body": body}
        self.messages.append(message)
        self._changed.notify_all()
        return message

    def since(self, cursor: int) -> list[dict]:
        """The messages with an id above ``cursor``, oldest first."""
        return [message for message in self.messages if message["id"] > cursor]

    def wait(self, *, timeout: float | None = None) -> Future:
        """A future that turns True at the next message, or False after ``timeout`` seconds.

        Cancel it when the waiting client leaves, so the buffer stops counting it.
        """
        delay = None if timeout is None else datetime.timedelta(seconds=timeout)
        waiter = self._changed.wait(delay)
        self._waiters.add(waiter)
        waiter.add_done_callback(self._waiters.discard)
        return waiter

    @property
    def waiting(self) -> int:
        """How many waits are still parked (neither woken, timed out nor cancelled)."""
        return sum(not waiter.done() for waiter in self._waiters)  # done ones leave the set a moment later

    def close(self) -> None:
        """Wake every parked request for good: the room is closing."""
        self.closed = True
        self._changed.notify_all()


class RateLimit:
    """Allows at most ``count`` events in any window of ``per`` seconds (a sliding window).

    Example::

        limit = RateLimit(2, per=1.0)
        [limit.allow() for _ in range(3)]   # [True, True, False]
    """

    def __init__(self, count: int, *, per: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.count = count
        self.per = per
        self._clock = clock
        self._times: collections.deque[float] = collections.deque()

    def allow(self) -> bool:
        """Record one event now; False when it would be one too many for the window."""
        now = self._clock()
        while self._times and now - self._times[0] >= self.per:
            self._times.popleft()  # older than the window: forget it
        if len(self._times) >= self.count:
            return False
        self._times.append(now)
        return True
