# Wrong: asyncio.to_thread keeps the loop free, but on the default executor, not on the handler's pool.
# Expect: self.pool ran 0 of the 2
class HashHandler(tornado.web.RequestHandler):
    def initialize(self, pool, salt):
        self.pool = pool
        self.salt = salt

    async def post(self):
        work = functools.partial(hashlib.scrypt, self.request.body, salt=self.salt, n=2**14, r=8, p=16)
        digest = await asyncio.to_thread(work)
        self.write({"hash": digest.hex()})
