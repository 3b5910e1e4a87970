# Wrong: get() loads the store itself when the cache is empty, so the store is read once per
# early get() instead of once.
# Expect: it never reads the store itself
class Cache:
    def __init__(self, store):
        self.store, self.data = store, {}
        self.loaded = tornado.locks.Event()

    async def load(self):
        self.data = await self.store.load_all()
        self.loaded.set()

    async def get(self, key):
        if not self.data:
            await self.load()
        return self.data[key]
