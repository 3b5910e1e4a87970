# Wrong: a lambda keeps the loop free on a thread pool, but a process pool cannot pickle it to send it to a worker.
# Expect: cannot pickle
class HashHandler(tornado.web.RequestHandler):
    def initialize(self, pool, salt):
        self.pool = pool
        self.salt = salt

    async def post(self):
        password = self.request.body
        digest = await asyncio.get_running_loop().run_in_executor(
            self.pool, lambda: hashlib.scrypt(password, salt=self.salt, n=2**14, r=8, p=16))
        self.write({"hash": digest.hex()})
