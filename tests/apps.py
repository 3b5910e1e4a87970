"""Small apps the tests serve, in this process or in a separate one (``tests.apps:make_...``).

``python -m tests.apps PORT`` serves :func:`make_echo_app` with ``xheaders=True``, as an app
behind a proxy runs (``serve_process`` cannot pass that HTTPServer option to a factory).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import sys

import tornado.web
import tornado.websocket


class HelloHandler(tornado.web.RequestHandler):
    def get(self) -> None:
        self.write("Hello, world")


class EchoWebSocket(tornado.websocket.WebSocketHandler):
    def on_message(self, message) -> None:
        self.write_message(message)


class PidsHandler(tornado.web.RequestHandler):
    """Answers with the pid of this server process and of its pool's workers."""

    async def get(self) -> None:
        pool = self.settings["pool"]
        loop = asyncio.get_running_loop()
        pids = await asyncio.gather(*(loop.run_in_executor(pool, os.getpid) for _ in range(8)))
        self.write({"server": os.getpid(), "workers": sorted(set(pids))})


class EchoRequestHandler(tornado.web.RequestHandler):
    """Answers with what Tornado made of the request; ``/seen`` lists the paths it answered before."""

    async def get(self, path: str) -> None:
        if path == "seen":
            self.write({"seen": self.settings["seen"]})
            return
        self.settings["seen"].append(self.request.path)
        await asyncio.sleep(float(self.get_argument("sleep", "0")))  # a request still in flight
        self.write({"remote_ip": self.request.remote_ip, "protocol": self.request.protocol,
                    "peer": self.request.connection.context.address[0], "pid": os.getpid(),
                    "headers": dict(self.request.headers)})


def make_echo_app(**settings) -> tornado.web.Application:
    return tornado.web.Application([(r"/ws", EchoWebSocket), (r"/(.*)", EchoRequestHandler)], seen=[], **settings)


def make_hello_app(**settings) -> tornado.web.Application:
    return tornado.web.Application([(r"/", HelloHandler), (r"/ws", EchoWebSocket)], **settings)


def make_pool_app(**settings) -> tornado.web.Application:
    pool = concurrent.futures.ProcessPoolExecutor(max_workers=2)
    return tornado.web.Application([(r"/", PidsHandler)], pool=pool, **settings)


def make_broken_app(**settings) -> tornado.web.Application:
    raise RuntimeError("this factory fails on purpose")


async def _serve_echo(port: int) -> None:
    make_echo_app().listen(port, "127.0.0.1", xheaders=True)
    print(f"listening on http://127.0.0.1:{port}/ with xheaders=True", flush=True)
    await asyncio.Event().wait()  # until the supervisor's SIGTERM


if __name__ == "__main__":
    asyncio.run(_serve_echo(int(sys.argv[1])))
