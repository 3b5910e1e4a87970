# Wrong: a lambda keeps the loop free on a thread pool, but a process pool cannot pickle it to send it to a worker.
class PrimeHandler(tornado.web.RequestHandler):
    def initialize(self, pool):
        self.pool = pool

    async def get(self, number):
        n = int(number)
        prime = await asyncio.get_running_loop().run_in_executor(self.pool, lambda: is_prime(n))
        self.write({"n": n, "prime": prime})
