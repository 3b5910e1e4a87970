# Wrong: no queue and no workers: a task per job, with a Semaphore letting `workers` in at a time.
# Expect: handle() ran in 20 different tasks, expected 4
async def run_pool(jobs, handle, *, workers):
    limit = asyncio.Semaphore(workers)

    async def one(job):
        async with limit:
            return await handle(job)
    return list(await asyncio.gather(*(one(job) for job in jobs)))
