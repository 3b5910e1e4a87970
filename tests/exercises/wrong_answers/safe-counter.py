# Wrong: a lock around the write only; the reads still all see the old count.
class SafeLedger(Ledger):
    def __init__(self):
        super().__init__()
        self.lock = tornado.locks.Lock()

    async def visit(self, page):
        count = await self.read(page) + 1
        async with self.lock:
            await self.write(page, count)
