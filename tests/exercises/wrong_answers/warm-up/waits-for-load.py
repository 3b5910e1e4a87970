# Wrong: sets the Event as load() starts, not once the data is in, so the waiting gets wake up and
# look in an empty cache.
# Expect: while load() was still reading the store
class Cache:
    def __init__(self, store):
        self.store, self.data = store, {}
        self.loaded = tornado.locks.Event()

    async def load(self):
        self.loaded.set()
        self.data = await self.store.load_all()

    async def get(self, key):
        await self.loaded.wait()
        return self.data[key]
