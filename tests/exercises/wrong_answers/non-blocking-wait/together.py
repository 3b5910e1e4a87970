# Wrong: time.sleep on a pool of one thread keeps the loop free, but the waits take turns.
# Expect: one after another
import concurrent.futures


class WaitHandler(tornado.web.RequestHandler):
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)

    async def get(self):
        seconds = float(self.get_query_argument("seconds"))
        await asyncio.get_running_loop().run_in_executor(self.pool, time.sleep, seconds)
        self.write("done")
