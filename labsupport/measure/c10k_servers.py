"""The two servers the C10K demo measures: Tornado on one thread, and one thread per connection.

Both answer ``GET /`` with ``Hello, world`` and keep the connection open afterwards (HTTP/1.1
keep-alive). :func:`labsupport.measure.c10k.measure` starts each in a process of its own; from a
terminal::

    python -m labsupport.measure.c10k_servers tornado --port 8000 --files 11000
    python -m labsupport.measure.c10k_servers threads --port 8001 --files 11000
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import tornado.web
from tornado.httpserver import HTTPServer

from ..errors import C10kError
from .filelimit import raise_open_file_limit

__all__ = ["BODY", "HelloHandler", "HelloThreadHandler", "ThreadPerConnectionServer", "main", "make_app"]

BODY = b"Hello, world"
# How many connections may wait to be accepted; Linux caps it at net.core.somaxconn (4096 here).
BACKLOG = 4096


class HelloHandler(tornado.web.RequestHandler):
    """Answers ``GET /``; the connection then waits on the event loop for its next request."""

    def get(self) -> None:
        self.write(BODY)


def make_app() -> tornado.web.Application:
    """The Tornado hello-world app."""
    return tornado.web.Application([(r"/", HelloHandler)])


async def serve_tornado(port: int, host: str) -> None:
    """Serve :func:`make_app` with one ``HTTPServer`` on this thread's event loop, forever."""
    server = HTTPServer(make_app())
    server.listen(port, host, backlog=BACKLOG)
    print(f"tornado: listening on http://{host}:{port}/", flush=True)
    await asyncio.Event().wait()  # SIGTERM from serve_process ends the process


class HelloThreadHandler(BaseHTTPRequestHandler):
    """Answers ``GET /``; its thread then blocks reading the connection's next request."""

    protocol_version = "HTTP/1.1"  # keep-alive: the thread stays with its connection until it closes

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, format: str, *args: object) -> None:
        pass  # ten thousand access-log lines would only slow the demo down


class ThreadPerConnectionServer(ThreadingHTTPServer):
    """The standard library's threading HTTP server: every accepted connection gets a new thread."""

    request_queue_size = BACKLOG
    daemon_threads = True
    block_on_close = False  # do not keep a list of every thread ever started


def serve_threads(port: int, host: str) -> None:
    """Serve :class:`HelloThreadHandler` with one thread per connection, forever."""
    ThreadPerConnectionServer.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with ThreadPerConnectionServer((host, port), HelloThreadHandler) as server:
        print(f"threads: listening on http://{host}:{port}/", flush=True)
        server.serve_forever()


def main(argv: list[str] | None = None) -> int:
    """Raise the open-file limit to ``--files``, then run the chosen server."""
    parser = argparse.ArgumentParser(prog="python -m labsupport.measure.c10k_servers", description=__doc__)
    parser.add_argument("kind", choices=["tornado", "threads"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--files", type=int, default=0, help="open files this server may need")
    args = parser.parse_args(argv)
    try:
        raise_open_file_limit(args.files)
    except C10kError as exc:
        print(exc, file=sys.stderr, flush=True)
        return 2
    try:
        if args.kind == "tornado":
            asyncio.run(serve_tornado(args.port, args.host))
        else:
            serve_threads(args.port, args.host)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
