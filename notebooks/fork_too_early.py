"""A mistake to learn from: the database opens before the fork. Run: python fork_too_early.py PORT"""

import asyncio
import sys

from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.process import fork_processes

from todo import make_app

app = make_app(database_url="sqlite+aiosqlite:///lesson-12-fork.db")
asyncio.run(app.open())  # the mistake: an event loop ran, and the engine keeps a connection open
sockets = bind_sockets(int(sys.argv[1]), "127.0.0.1")
fork_processes(2)  # each worker gets a copy of that connection, but not the thread that served it


async def serve() -> None:
    HTTPServer(app).add_sockets(sockets)
    await asyncio.Event().wait()

asyncio.run(serve())
