"""Run the chat room from a terminal: ``python -m chatroom --port=8888``, then open the URL.

Ctrl-C closes every websocket with 1001 (going away) and answers the waiting long polls
before the process ends.
"""

import asyncio
import signal

from tornado.httpserver import HTTPServer
from tornado.options import define, options, parse_command_line

from . import SERVER_OPTIONS, make_app

define("port", default=8888, help="port to listen on")
define("host", default="127.0.0.1", help="address to listen on")


async def main() -> None:
    parse_command_line()
    app = make_app()
    server = HTTPServer(app, **SERVER_OPTIONS)  # body size and timeouts fit for a chat
    server.listen(options.port, options.host)
    print(f"Chat room on http://{options.host}:{options.port}/ (long polling: /poll); Ctrl-C stops it", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    try:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
    except NotImplementedError:  # Windows: Ctrl-C ends the process without the close frames
        pass
    await stop.wait()
    server.stop()
    # close_all_connections() below neither reaches websockets nor waits for requests in
    # progress: send the close frames and let the woken long polls answer first.
    app.room.close()
    await app.room.wait_empty(2.0)
    await server.close_all_connections()


if __name__ == "__main__":
    asyncio.run(main())
