# Wrong: a task per job, so all 20 run at once and `workers` is ignored.
async def run_pool(jobs, handle, *, workers):
    return list(await asyncio.gather(*(handle(job) for job in jobs)))
