# Wrong: waits for the load, but returns nothing instead of the cached value.
# Expect: Hint: return self.data[key]
class Cache:
    def __init__(self, store):
        self.store, self.data = store, {}
        self.loaded = tornado.locks.Event()

    async def load(self):
        self.data = await self.store.load_all()
        self.loaded.set()

    async def get(self, key):
        await self.loaded.wait()
