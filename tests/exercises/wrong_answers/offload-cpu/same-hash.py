# Wrong: p=1 instead of BlockingHashHandler's p=16 is quicker, but it is another hash.
# Expect: salt=self.salt, n=2**14, r=8, p=16
class HashHandler(tornado.web.RequestHandler):
    def initialize(self, pool, salt):
        self.pool = pool
        self.salt = salt

    async def post(self):
        work = functools.partial(hashlib.scrypt, self.request.body, salt=self.salt, n=2**14, r=8, p=1)
        digest = await asyncio.get_running_loop().run_in_executor(self.pool, work)
        self.write({"hash": digest.hex()})
