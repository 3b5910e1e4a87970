"""Small apps the tests serve, in this process or in a separate one (``tests.apps:make_...``)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os

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


def make_hello_app(**settings) -> tornado.web.Application:
    return tornado.web.Application([(r"/", HelloHandler), (r"/ws", EchoWebSocket)], **settings)


def make_pool_app(**settings) -> tornado.web.Application:
    pool = concurrent.futures.ProcessPoolExecutor(max_workers=2)
    return tornado.web.Application([(r"/", PidsHandler)], pool=pool, **settings)


def make_broken_app(**settings) -> tornado.web.Application:
    raise RuntimeError("this factory fails on purpose")
