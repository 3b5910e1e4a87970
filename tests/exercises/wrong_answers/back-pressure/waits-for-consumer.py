# Wrong: returns as soon as the last put is done, while the consumer still has items to handle.
# Expect: await the consumer task before returning
async def pipeline(source, handle, *, maxsize):
    queue, results = tornado.queues.Queue(maxsize=maxsize), []
    asyncio.create_task(consume(queue, handle, results))
    async for item in source:
        await queue.put(item)
    await queue.put(None)
    return results
