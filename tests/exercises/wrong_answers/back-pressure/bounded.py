# Wrong: an unbounded queue, so put never waits and the producer reads all 20 items at once.
# Expect: more than maxsize=3
async def pipeline(source, handle, *, maxsize):
    queue, results = tornado.queues.Queue(), []
    consumer = asyncio.create_task(consume(queue, handle, results))
    async for item in source:
        await queue.put(item)
    await queue.put(None)
    await consumer
    return results
