# Wrong: urllib on a pool of one thread keeps the loop free, but the requests take turns.
# Expect: waited in line
import concurrent.futures
import urllib.request


class ProxyHandler(tornado.web.RequestHandler):
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)

    def initialize(self, upstream):
        self.upstream = upstream

    async def get(self):
        body = await asyncio.get_running_loop().run_in_executor(self.pool, self.fetch)
        self.write(body)

    def fetch(self):
        with urllib.request.urlopen(self.upstream, timeout=5) as response:
            return response.read()
