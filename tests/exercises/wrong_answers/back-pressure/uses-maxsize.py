# Wrong: keeps a place free for the None, so the queue holds one item fewer than maxsize.
# Expect: never held 3 items
async def pipeline(source, handle, *, maxsize):
    queue, results = tornado.queues.Queue(maxsize=maxsize - 1), []
    consumer = asyncio.create_task(consume(queue, handle, results))
    async for item in source:
        await queue.put(item)
    await queue.put(None)
    await consumer
    return results
