"""Checks for the exercises of lesson 07 (a chat room: size limit, rate limit, waiter clean-up).

Example, in ``exercises/07-build-a-chat-room.ipynb``::

    await labsupport.check("size-limit", EchoHandler)
"""

from __future__ import annotations

import asyncio
import time

import tornado.websocket

from ..check import CheckFailed, requirement, task
from ...demos.waiting_room import WaitingRoom
from .support import Site, learner_class, not_done, served

__all__: list[str] = []

TOO_BIG, POLICY = 1009, 1008


async def _connect(site: Site, path: str) -> tornado.websocket.WebSocketClientConnection:
    url = "ws" + site.base.removeprefix("http") + path.lstrip("/")
    return await tornado.websocket.websocket_connect(url, connect_timeout=3)


async def _reply(site: Site, socket, sent: str, *, hint: str) -> None:
    """Send ``sent`` and expect it echoed back within 2 s."""
    await socket.write_message(sent)
    try:
        reply = await asyncio.wait_for(socket.read_message(), 2)
    except TimeoutError:
        raise CheckFailed(f"no answer to a {len(sent)}-character message within 2 s.{site.raised()} Hint: {hint}") from None
    if reply != sent:
        closed = f" (closed with code {socket.close_code}: {socket.close_reason!r})" if reply is None else f": {reply[:40]!r}"
        raise CheckFailed(f"a {len(sent)}-character message got {'no echo' if reply is None else 'the wrong echo'}"
                          f"{closed}.{site.raised()} Hint: {hint}")


async def _closed_with(site: Site, socket, code: int, *, what: str, hint: str) -> None:
    """Expect the server to close ``socket`` with ``code``, within 2 s (the reason is the caller's to check)."""
    try:
        while (echo := await asyncio.wait_for(socket.read_message(), 2)) is not None:
            raise CheckFailed(f"{what} was answered with {echo[:30]!r} instead of closing the socket "
                              f"with {code}.{site.raised()} Hint: {hint}")
    except TimeoutError:
        raise CheckFailed(f"{what} got no answer and the socket stayed open: expected a close with code "
                          f"{code}.{site.raised()} Hint: {hint}") from None
    if socket.close_code != code:
        raise CheckFailed(f"{what} closed the socket with code {socket.close_code}, expected code {code}."
                          f"{site.raised()} Hint: {hint}")


def _has_reason(site: Site, socket, *, what: str, code: int) -> None:
    """Fail unless the close of ``socket`` carried a reason."""
    if not socket.close_reason:
        raise CheckFailed(f"{what} closed the socket with code {code} but reason {socket.close_reason!r}; "
                          f"expected a short reason too.{site.raised()} Hint: self.close({code}, reason), with a "
                          "reason of a few words that tells the client what it did wrong.")


@task("size-limit", budget=8, requirements={
    "echoes": "a message within max_chars comes back to its sender",
    "at-the-limit": "a message of exactly max_chars characters is still echoed",
    "counts-characters": "max_chars counts characters, not bytes",
    "closes-1009": "a longer message closes that socket with code 1009",
    "gives-a-reason": "the close carries a short reason",
    "not-echoed": "a message that is too long is not echoed, and nothing is sent after the close",
    "others-unaffected": "closing one client's socket leaves the other clients chatting",
})
async def size_limit(answer) -> str:
    handler = learner_class(answer, "EchoHandler")
    hint = "if len(message) > self.max_chars: self.close(1009, 'message too long'); otherwise write_message(message)."
    async with served([(r"/echo", handler, {"max_chars": 20})]) as site:
        alice, bob = await _connect(site, "/echo"), await _connect(site, "/echo")
        requirement("echoes")
        await _reply(site, alice, "hello", hint=f"echo every message of at most max_chars characters: {hint}")
        requirement("at-the-limit")
        await _reply(site, bob, "x" * 20, hint="20 characters are allowed when max_chars is 20: close only when "
                                              "len(message) > self.max_chars, not >=.")
        requirement("counts-characters")
        await _reply(site, bob, "é" * 20, hint="max_chars counts characters, not bytes: 20 'é's are 20 characters "
                                              "(40 bytes in UTF-8). Compare len(message), the text itself, not its "
                                              "encoding.")
        requirement("closes-1009")
        await alice.write_message("y" * 21)
        await _closed_with(site, alice, TOO_BIG, what="a 21-character message (max_chars 20)", hint=hint)
        requirement("gives-a-reason")
        _has_reason(site, alice, what="a 21-character message (max_chars 20)", code=TOO_BIG)
        requirement("not-echoed")
        if site.errors:
            raise CheckFailed(f"a 21-character message closed the socket with 1009, but then{site.raised()} "
                              "Hint: return right after self.close(...), so that on_message does not go on to "
                              "write_message to a closed socket.")
        requirement("others-unaffected")
        await _reply(site, bob, "still here", hint="closing one client must leave the others connected: close "
                                                  "only self, the socket the long message came on.")
        bob.close()
    return ("20 characters (20 'é's too) echoed, 21 closed that socket with 1009 and a reason and nothing more, "
            "the other client kept chatting")


async def _burst(site: Site, socket, texts: list[str], *, then: str | None = None, hint: str) -> None:
    """Write ``texts`` (and ``then``) all at once, then expect each of ``texts`` echoed in order."""
    for text in [*texts, then] if then is not None else texts:
        socket.write_message(text)  # not awaited: the frames leave together, whatever the machine's load
    for text in texts:
        try:
            reply = await asyncio.wait_for(socket.read_message(), 2)
        except TimeoutError:
            raise CheckFailed(f"no echo of {text!r} within 2 s.{site.raised()} Hint: {hint}") from None
        if reply != text:
            closed = f"closed with code {socket.close_code}: {socket.close_reason!r}" if reply is None else repr(reply[:40])
            raise CheckFailed(f"{text!r} got no echo ({closed}).{site.raised()} Hint: {hint}")


@task("rate-limit", budget=10, requirements={
    "allows-limit": "`limit` messages sent at once are all echoed",
    "closes-1008": "one message more than `limit` within `per` seconds closes that socket with 1008 and a reason",
    "forgets-old": "messages older than `per` seconds no longer count, so a client that paused may send `limit` more",
    "sliding-window": "the limit holds in any `per` seconds (a sliding window), not in windows that start afresh",
    "per-client": "each client is counted on its own: one client's flood does not cut off the others",
})
async def rate_limit(answer) -> str:
    handler = learner_class(answer, "LimitedHandler")
    hint = ("keep the times of recent messages, forget those older than self.per seconds, and "
            "self.close(1008, reason) when self.limit of them are left.")
    async with served([(r"/limited", handler, {"limit": 5, "per": 0.8}),
                       (r"/sliding", handler, {"limit": 3, "per": 1.0})]) as site:
        alice, bob = await _connect(site, "/limited"), await _connect(site, "/limited")
        requirement("allows-limit")
        await _burst(site, alice, [f"first {n}" for n in range(5)],
                     hint="5 messages are allowed in 0.8 s when limit is 5: close only when self.limit times are "
                          "left after forgetting the old ones, before recording the new message's time.")
        await asyncio.sleep(1.0)
        requirement("forgets-old")
        await _burst(site, alice, [f"after the pause {n}" for n in range(5)], then="one too many",
                     hint=f"the first 5 are older than 0.8 s now, so 5 more are allowed: forget "
                          f"messages older than self.per. {hint}")
        requirement("closes-1008")
        what = "a 6th message sent with those 5 (limit 5)"
        await _closed_with(site, alice, POLICY, what=what,
                           hint="a 6th message within 0.8 s must close: close when len(self.times) >= self.limit, "
                                "not >.")
        _has_reason(site, alice, what=what, code=POLICY)
        requirement("per-client")
        await _reply(site, bob, "still here", hint="count per connection: one client's flood must not cut off the "
                                                  "others. Keep the times in self.times, not in a variable of the "
                                                  "class or the module.")
        bob.close()
        requirement("sliding-window")
        await _sliding(site)
    return ("5 messages at once echoed, 5 more after a pause too, the 6th closed with 1008, the other client "
            "unaffected; with limit 3 in 1 s, the window slid: a message 1.2 s after the first was allowed, "
            "the next one not")


async def _sliding(site: Site) -> None:
    """limit 3, per 1.0: 1 message, 2 more 0.5 s later, then at 1.2 s one is allowed (the first expired), one not.

    A window that starts afresh when its oldest message is over ``per`` s old lets both through.
    Timed on this side: the 2 middle messages must still be under 1 s old when the last one
    arrives, or the try does not count, and the check tries again on a new connection.
    """
    hint = ("in any 1 s only 3 messages are allowed: at 1.2 s only the first message is too old, the 2 sent at "
            "0.5 s still count. Forget only the times older than self.per (popleft while the oldest is too old), "
            "rather than starting afresh.")
    for _ in range(3):
        carol = await _connect(site, "/sliding")
        await _burst(site, carol, ["one"], hint="with limit=3, 1 message is allowed.")
        first = time.perf_counter()
        await asyncio.sleep(0.5)
        middle = time.perf_counter()
        await _burst(site, carol, ["two", "three"], hint="with limit=3, 3 messages are allowed in 1 s.")
        await asyncio.sleep(max(0.0, first + 1.2 - time.perf_counter()))
        await _burst(site, carol, ["four"], then="five",
                     hint=f"1.2 s after the first message it no longer counts, so a 4th is allowed. {hint}")
        try:
            await _closed_with(site, carol, POLICY, hint=hint,
                               what="a 5th message 1.2 s after the first, with 3 in the last 1 s (limit 3)")
        except CheckFailed:
            if time.perf_counter() - middle < 0.95:  # the two middle messages surely still counted
                raise
        else:
            return
        carol.close()
    raise CheckFailed("this machine is too busy to time the sliding window: run the check again.")


async def _until(condition, seconds: float) -> bool:
    for _ in range(int(seconds / 0.02)):
        if condition():
            return True
        await asyncio.sleep(0.02)
    return condition()


@task("waiter-cleanup", budget=8, requirements={
    "waits": "a GET with nothing after `seen` waits, with room.wait(), instead of answering at once",
    "answers-new": "once a message comes, the waiting GET answers {\"messages\": [...]} with it, at once",
    "answers-at-once": "a GET with messages after `seen` answers them at once, without waiting",
    "after-seen": "a GET answers the messages after the first `seen`, all of them and only those",
    "stops-waiting": "a request whose client hung up stops waiting: room.waiting is back to 0 within a second",
})
async def waiter_cleanup(answer) -> str:
    handler = learner_class(answer, "UpdatesHandler")
    room = WaitingRoom()
    async with served([(r"/updates", handler, {"room": room})]) as site:
        requirement("waits")
        poll = asyncio.ensure_future(site.get("/updates?seen=0"))
        if not await _until(lambda: room.waiting == 1 or poll.done(), 1.0) or poll.done():
            not_done(site.errors)
            answered = f"answered {poll.result().status_code} at once" if poll.done() else "did not wait with room.wait()"
            raise CheckFailed(f"GET /updates?seen=0 with no messages {answered}: it should wait.{site.raised()} "
                              "Hint: while there is nothing after `seen`, self.waiter = self.room.wait(); await it.")
        requirement("answers-new")
        room.add("hello")
        done, _ = await asyncio.wait([poll], timeout=0.5)
        if not done:
            poll.cancel()
            raise CheckFailed(f"after room.add('hello') the waiting GET /updates?seen=0 had not answered 0.5 s later."
                              f"{site.raised()} Hint: once the future of room.wait() resolves, check the messages "
                              "again and write them.")
        response = poll.result()
        if response.status_code != 200 or _messages(response) != ["hello"]:
            raise CheckFailed(f"after room.add('hello') the waiting GET /updates?seen=0 answered {response.status_code} "
                              f"{response.text[:60]!r}, expected 200 {{\"messages\": [\"hello\"]}}.{site.raised()} "
                              "Hint: take self.room.messages[seen:] after the wait, not before: the list grows "
                              "while the request waits.")
        requirement("answers-at-once")
        room.add("two")
        room.add("three")
        try:
            response = await asyncio.wait_for(site.get("/updates?seen=1"), 0.5)
        except TimeoutError:
            raise CheckFailed(f"with 3 messages, GET /updates?seen=1 had not answered 0.5 s later: it should answer "
                              f"the 2 after the first at once.{site.raised()} Hint: wait only while "
                              "len(self.room.messages) <= seen; when there are new ones, write them at once.") from None
        requirement("after-seen")
        if response.status_code != 200 or _messages(response) != ["two", "three"]:
            raise CheckFailed(f"with the messages ['hello', 'two', 'three'], GET /updates?seen=1 answered "
                              f"{response.status_code} {response.text[:60]!r}, expected 200 "
                              f"{{\"messages\": [\"two\", \"three\"]}}.{site.raised()} Hint: the client has seen "
                              "the first `seen` messages: write self.room.messages[seen:].")
        requirement("stops-waiting")
        reader, writer = await asyncio.open_connection("127.0.0.1", int(site.base.rsplit(":", 1)[1].strip("/")))
        writer.write(b"GET /updates?seen=3 HTTP/1.1\r\nHost: check\r\n\r\n")
        await _until(lambda: room.waiting == 1, 1.0)
        writer.close()
        if not await _until(lambda: room.waiting == 0, 1.0):
            raise CheckFailed("a client hung up while its GET waited, and 1 s later the request was still "
                              "waiting for it. Hint: in on_connection_close, self.waiter.cancel(); in get, "
                              "return on asyncio.CancelledError.")
        not_done(site.errors)
        if site.errors:
            raise CheckFailed(f"the GETs answered as they should, but{site.raised()}")
    return ("GET waited until a message came and then answered it, new messages after `seen` came at once, "
            "and a client that hung up stopped waiting")


def _messages(response) -> object:
    try:
        return response.json().get("messages")
    except (ValueError, AttributeError):
        return None
