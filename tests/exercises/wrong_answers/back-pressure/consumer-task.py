# Wrong: puts every item first and only then runs the consumer, so once the queue is full the
# producer waits for room that nobody makes.
# Expect: nobody was taking items out
async def pipeline(source, handle, *, maxsize):
    queue, results = tornado.queues.Queue(maxsize=maxsize), []
    async for item in source:
        await queue.put(item)
    await queue.put(None)
    await consume(queue, handle, results)
    return results
