# Wrong: a Condition instead of an Event: notify_all() wakes the gets already waiting, but nothing
# stays set, so a get() that comes after the load waits for a notify that never comes.
# Expect: which stays set
class Cache:
    def __init__(self, store):
        self.store, self.data = store, {}
        self.loaded = tornado.locks.Condition()

    async def load(self):
        self.data = await self.store.load_all()
        self.loaded.notify_all()

    async def get(self, key):
        await self.loaded.wait()
        return self.data[key]
