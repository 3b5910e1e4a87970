import urllib.request

import tornado.httpclient
import tornado.web


class BlockingProfileHandler(tornado.web.RequestHandler):
    async def get(self):
        with urllib.request.urlopen(self.settings["upstream"], timeout=5) as answer:
            self.write(answer.read())  # the loop waited for the upstream


class AsyncProfileHandler(tornado.web.RequestHandler):
    async def get(self):
        answer = await tornado.httpclient.AsyncHTTPClient().fetch(self.settings["upstream"])
        self.write(answer.body)  # the loop served others while waiting


def make_app(upstream):
    return tornado.web.Application([(r"/blocking", BlockingProfileHandler), (r"/async", AsyncProfileHandler)],
                                   upstream=upstream)
