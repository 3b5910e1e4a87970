# Wrong: deals the jobs out in turn to a queue per worker, so a worker whose jobs are done sits
# idle while another worker's jobs still wait.
# Expect: take jobs from one queue
async def run_pool(jobs, handle, *, workers):
    queues, results = [tornado.queues.Queue() for _ in range(workers)], [None] * len(jobs)
    for index, job in enumerate(jobs):
        queues[index % workers].put_nowait((index, job))
    tasks = [asyncio.create_task(worker(queue, handle, results)) for queue in queues]
    for queue in queues:
        await queue.join()
    for task in tasks:
        task.cancel()
    return results
