# Wrong: str() of the body bytes writes their repr, b'...', not the text.
# Expect: str() of bytes
class ProxyHandler(tornado.web.RequestHandler):
    def initialize(self, upstream):
        self.upstream = upstream

    async def get(self):
        response = await tornado.httpclient.AsyncHTTPClient().fetch(self.upstream)
        self.write(str(response.body))
