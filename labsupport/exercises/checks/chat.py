"""Checks for the exercises of lesson 07 (a chat room: size limit, rate limit, waiter clean-up).

Example, in ``exercises/07-build-a-chat-room.ipynb``::

    await labsupport.check("size-limit", EchoHandler)
"""

from __future__ import annotations

import asyncio

import tornado.websocket

from ..check import CheckFailed, task
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
    """Expect the server to close ``socket`` with ``code`` and a reason, within 2 s."""
    try:
        while (echo := await asyncio.wait_for(socket.read_message(), 2)) is not None:
            raise CheckFailed(f"{what} was answered with {echo[:30]!r} instead of closing the socket "
                              f"with {code}.{site.raised()} Hint: {hint}")
    except TimeoutError:
        raise CheckFailed(f"{what} got no answer and the socket stayed open: expected a close with code "
                          f"{code}.{site.raised()} Hint: {hint}") from None
    if socket.close_code != code or not socket.close_reason:
        raise CheckFailed(f"{what} closed the socket with code {socket.close_code} and reason "
                          f"{socket.close_reason!r}, expected code {code} and a reason.{site.raised()} Hint: {hint}")


@task("size-limit", budget=8)
async def size_limit(answer) -> str:
    handler = learner_class(answer, "EchoHandler")
    hint = "if len(message) > self.max_chars: self.close(1009, 'message too long'); otherwise write_message(message)."
    async with served([(r"/echo", handler, {"max_chars": 20})]) as site:
        alice, bob = await _connect(site, "/echo"), await _connect(site, "/echo")
        await _reply(site, alice, "hello", hint=hint)
        await _reply(site, bob, "x" * 20, hint=f"20 characters are allowed when max_chars is 20; {hint}")
        await alice.write_message("y" * 21)
        await _closed_with(site, alice, TOO_BIG, what="a 21-character message (max_chars 20)", hint=hint)
        await _reply(site, bob, "still here", hint="closing one client must leave the others connected.")
        bob.close()
    return "20 characters echoed, 21 closed that socket with 1009, the other client kept chatting"


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


@task("rate-limit", budget=8)
async def rate_limit(answer) -> str:
    handler = learner_class(answer, "LimitedHandler")
    hint = ("keep the times of recent messages, forget those older than self.per seconds, and "
            "self.close(1008, reason) when self.limit of them are left.")
    async with served([(r"/limited", handler, {"limit": 5, "per": 0.8})]) as site:
        alice, bob = await _connect(site, "/limited"), await _connect(site, "/limited")
        await _burst(site, alice, [f"first {n}" for n in range(5)], hint=f"5 messages are allowed in 0.8 s; {hint}")
        await asyncio.sleep(1.0)
        await _burst(site, alice, [f"after the pause {n}" for n in range(5)], then="one too many",
                     hint=f"the first 5 are older than 0.8 s now, so 5 more are allowed: forget "
                          f"messages older than self.per. {hint}")
        await _closed_with(site, alice, POLICY, what="a 6th message sent with those 5", hint=hint)
        await _reply(site, bob, "still here", hint="count per connection: one client's flood must not cut off the others.")
        bob.close()
    return "5 messages at once echoed, 5 more after a pause too, the 6th closed with 1008, the other client unaffected"


async def _until(condition, seconds: float) -> bool:
    for _ in range(int(seconds / 0.02)):
        if condition():
            return True
        await asyncio.sleep(0.02)
    return condition()


@task("waiter-cleanup", budget=8)
async def waiter_cleanup(answer) -> str:
    handler = learner_class(answer, "UpdatesHandler")
    room = WaitingRoom()
    async with served([(r"/updates", handler, {"room": room})]) as site:
        poll = asyncio.ensure_future(site.get("/updates?seen=0"))
        if not await _until(lambda: room.waiting == 1 or poll.done(), 1.0) or poll.done():
            not_done(site.errors)
            answered = f"answered {poll.result().status_code} at once" if poll.done() else "did not wait with room.wait()"
            raise CheckFailed(f"GET /updates?seen=0 with no messages {answered}: it should wait. "
                              "Hint: while there is nothing after `seen`, self.waiter = self.room.wait(); await it.")
        room.add("hello")
        response = await asyncio.wait_for(poll, 3)
        if response.status_code != 200 or response.json() != {"messages": ["hello"]}:
            raise CheckFailed(f"after room.add('hello') the waiting GET answered {response.status_code} "
                              f"{response.text[:60]!r}, expected 200 {{\"messages\": [\"hello\"]}}.{site.raised()}")
        reader, writer = await asyncio.open_connection("127.0.0.1", int(site.base.rsplit(":", 1)[1].strip("/")))
        writer.write(b"GET /updates?seen=1 HTTP/1.1\r\nHost: check\r\n\r\n")
        await _until(lambda: room.waiting == 1, 1.0)
        writer.close()
        if not await _until(lambda: room.waiting == 0, 1.0):
            raise CheckFailed("a client hung up while its GET waited, and 1 s later the request was still "
                              "waiting for it. Hint: in on_connection_close, self.waiter.cancel(); in get, "
                              "return on asyncio.CancelledError.")
    return "GET waited until a message came, and a client that hung up stopped waiting"
