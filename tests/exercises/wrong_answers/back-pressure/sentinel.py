# Wrong: never puts the None, so consume() waits for another item for ever and pipeline with it.
# Expect: put None after the last item
async def pipeline(source, handle, *, maxsize):
    queue, results = tornado.queues.Queue(maxsize=maxsize), []
    consumer = asyncio.create_task(consume(queue, handle, results))
    async for item in source:
        await queue.put(item)
    await consumer
    return results
