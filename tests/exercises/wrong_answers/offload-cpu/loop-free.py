# Wrong: an async def method alone moves nothing: scrypt still runs on the event loop.
# Expect: ran on the event loop
class HashHandler(tornado.web.RequestHandler):
    def initialize(self, pool, salt):
        self.pool = pool
        self.salt = salt

    async def post(self):
        digest = hashlib.scrypt(self.request.body, salt=self.salt, n=2**14, r=8, p=16)
        self.write({"hash": digest.hex()})
