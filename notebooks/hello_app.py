import asyncio

import tornado.web
from tornado.options import define, options, parse_command_line

define("port", default=8888, help="port to listen on")


class HelloHandler(tornado.web.RequestHandler):
    def get(self):
        self.write("Hello from a separate process")


async def main():
    parse_command_line()
    app = tornado.web.Application([(r"/", HelloHandler)])
    app.listen(options.port, address="127.0.0.1")
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main())
