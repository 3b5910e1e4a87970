# Wrong: hashes the example password, not the request body, so every request gets the same hash.
# Expect: scrypt of the request body
class HashHandler(tornado.web.RequestHandler):
    def initialize(self, pool, salt):
        self.pool = pool
        self.salt = salt

    async def post(self):
        work = functools.partial(hashlib.scrypt, b"hunter2", salt=self.salt, n=2**14, r=8, p=16)
        digest = await asyncio.get_running_loop().run_in_executor(self.pool, work)
        self.write({"hash": digest.hex()})
