"""Measure what slow clients cost the chat and the to-do app: dribbled headers and a reader that stops.

Usage, from the repo root::

    .venv/bin/python benchmarks/hostile.py [--connections 200] [--watch 15] [--messages 3000]

Slow headers: ``--connections`` clients each send a request's headers one byte a second to
``python -m chatroom`` and to ``python -m todo`` (both run as real processes by
``labsupport.serve_process``), and the number still open is printed every few seconds. With the
apps' ``idle_connection_timeout`` of 10 s they are all gone soon after 10 s; with Tornado's
default (an hour) none would be.

Slow consumer: the chat served in this process; one websocket client does the handshake and
never reads while ``--messages`` messages of 3 KB are published. Printed: this process's memory
growth and the most messages waiting for that client, with the chat's bound (``MAX_UNSENT``)
and without it, as before the fix.

A report, not a test: figures come from one run on whatever machine runs it. Every process is
stopped at the end, also when a measurement fails. Only 127.0.0.1 is ever targeted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import sys
import time
from pathlib import Path

import tornado

import labsupport

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
sys.path.insert(0, str(NOTEBOOKS))  # chatroom, as the lesson imports it


async def dribble(port: int, stop_at: float) -> float | None:
    """Send headers a byte a second; return when the server closed us (seconds), None if it never did."""
    started = time.monotonic()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return 0.0
    headers = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 100
    try:
        for byte in headers:
            if time.monotonic() > stop_at:
                return None
            writer.write(bytes([byte]))
            await writer.drain()
            try:
                if await asyncio.wait_for(reader.read(1), 1.0) == b"":
                    return time.monotonic() - started
            except asyncio.TimeoutError:
                pass
        return None
    except ConnectionError:
        return time.monotonic() - started
    finally:
        writer.close()


async def slow_headers(name: str, port: int, connections: int, watch: float) -> None:
    stop_at = time.monotonic() + watch
    clients = [asyncio.create_task(dribble(port, stop_at)) for _ in range(connections)]
    started = time.monotonic()
    while not all(client.done() for client in clients) and time.monotonic() < stop_at:
        await asyncio.sleep(2.5)
        open_now = sum(not client.done() for client in clients)
        print(f"  {name}: after {time.monotonic() - started:4.1f} s, {open_now:3d} of {connections} still open")
    closed_after = [t for t in await asyncio.gather(*clients) if t is not None]
    if closed_after:
        print(f"  {name}: {len(closed_after)} of {connections} closed by the server, "
              f"after {min(closed_after):.1f} to {max(closed_after):.1f} s")
    else:
        print(f"  {name}: none of {connections} closed within {watch:g} s")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def slow_consumer(messages: int, *, max_unsent: int) -> None:
    """Serve the chat on this loop; one client never reads; publish ``messages``; print memory and outcome."""
    import chatroom
    import chatroom.sockets

    chatroom.sockets.MAX_UNSENT = max_unsent
    app = chatroom.make_app(history=10)
    server = labsupport.serve(app, name="bench-chat-inproc", **chatroom.SERVER_OPTIONS)
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(f"GET /chatsocket HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nUpgrade: websocket\r\n"
                 "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                 "Sec-WebSocket-Version: 13\r\n\r\n".encode())
    await reader.readuntil(b"\r\n\r\n")
    await asyncio.sleep(0.2)
    (silent,) = app.room.sockets
    before, most = rss_mb(), 0
    for number in range(messages):
        app.room.publish(f"{number:05} " + "x" * 3000)
        most = max(most, silent.unsent)
        if number % 100 == 0:
            await asyncio.sleep(0)
    await asyncio.sleep(0.5)
    label = "bounded" if max_unsent < 10**6 else "unbounded"
    print(f"  {label:9} (MAX_UNSENT={max_unsent}): memory +{rss_mb() - before:5.1f} MB, at most {most} messages "
          f"waiting, silent client still in the room: {silent in app.room.sockets}")
    writer.close()
    await chatroom.shutdown(app, server, timeout=1)


async def main(args: argparse.Namespace) -> None:
    print(f"Python {platform.python_version()}, Tornado {tornado.version}, {platform.machine()}")
    chat = labsupport.serve_process([sys.executable, "-m", "chatroom", "--port={port}", "--host={host}"],
                                    name="bench-chat", cwd=NOTEBOOKS)
    todo = labsupport.serve_todo(database="/tmp/bench-hostile.db", fresh=True, name="bench-todo")
    try:
        print(f"Slow headers: {args.connections} clients per app, one byte a second, watched {args.watch:g} s")
        await asyncio.gather(slow_headers("chat", chat.port, args.connections, args.watch),
                             slow_headers("todo", todo.port, args.connections, args.watch))
        print(f"Slow consumer: one websocket client that never reads, {args.messages} messages of 3 KB")
        await slow_consumer(args.messages, max_unsent=100)
        await slow_consumer(args.messages, max_unsent=10**9)  # as before the bound
    finally:
        chat.stop()
        todo.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--watch", type=float, default=15.0)
    parser.add_argument("--messages", type=int, default=3000)
    asyncio.run(main(parser.parse_args()))
