# Wrong: the worker never calls task_done(), so join() waits for ever although every job is done.
# Expect: join() returns once task_done() has been called
async def worker(queue, handle, results):
    async for index, job in queue:
        results[index] = await handle(job)


async def run_pool(jobs, handle, *, workers):
    queue, results = tornado.queues.Queue(), [None] * len(jobs)
    for pair in enumerate(jobs):
        queue.put_nowait(pair)
    tasks = [asyncio.create_task(worker(queue, handle, results)) for _ in range(workers)]
    try:
        await queue.join()
    finally:
        for task in tasks:
            task.cancel()
    return results
