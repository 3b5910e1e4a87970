# Wrong: returns once join() does, but never cancels the workers, which stay waiting at get().
# Expect: still running after run_pool returned
async def run_pool(jobs, handle, *, workers):
    queue, results = tornado.queues.Queue(), [None] * len(jobs)
    for pair in enumerate(jobs):
        queue.put_nowait(pair)
    for _ in range(workers):
        asyncio.create_task(worker(queue, handle, results))
    await queue.join()
    return results
