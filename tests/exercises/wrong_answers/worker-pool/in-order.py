# Wrong: each worker appends its result when the job finishes, so a quick job that started late
# comes before a slow one that started early.
# Expect: let each queue item carry the job's index
async def worker(queue, handle, results):
    async for index, job in queue:
        results.append(await handle(job))
        queue.task_done()


async def run_pool(jobs, handle, *, workers):
    queue, results = tornado.queues.Queue(), []
    for pair in enumerate(jobs):
        queue.put_nowait(pair)
    tasks = [asyncio.create_task(worker(queue, handle, results)) for _ in range(workers)]
    await queue.join()
    for task in tasks:
        task.cancel()
    return results
