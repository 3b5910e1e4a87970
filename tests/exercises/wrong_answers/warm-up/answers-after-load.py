# Wrong: load() fills the cache but never sets the Event, so every get() waits for ever.
# Expect: set() the Event at the end of load()
class Cache:
    def __init__(self, store):
        self.store, self.data = store, {}
        self.loaded = tornado.locks.Event()

    async def load(self):
        self.data = await self.store.load_all()

    async def get(self, key):
        await self.loaded.wait()
        return self.data[key]
