# Wrong: run_in_executor passes no keyword arguments on, so this call raises TypeError.
# Expect: bind scrypt's keyword arguments first with functools.partial
class HashHandler(tornado.web.RequestHandler):
    def initialize(self, pool, salt):
        self.pool = pool
        self.salt = salt

    async def post(self):
        digest = await asyncio.get_running_loop().run_in_executor(
            self.pool, hashlib.scrypt, self.request.body, salt=self.salt, n=2**14, r=8, p=16)
        self.write({"hash": digest.hex()})
