# Wrong: put_nowait() does not wait for room: it raises QueueFull as soon as the queue is full.
# Expect: raised QueueFull
async def pipeline(source, handle, *, maxsize):
    queue, results = tornado.queues.Queue(maxsize=maxsize), []
    consumer = asyncio.create_task(consume(queue, handle, results))
    async for item in source:
        queue.put_nowait(item)
    queue.put_nowait(None)
    await consumer
    return results
