# Wrong: a task per job, so all 20 run at once and `workers` is ignored.
# Expect: expected at most 4
async def run_pool(jobs, handle, *, workers):
    return list(await asyncio.gather(*(handle(job) for job in jobs)))
