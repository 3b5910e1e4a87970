# Wrong: awaits the coroutine to the end and only then compares the time it took with the
# deadline, so a slow coroutine is waited for all the same.
# Expect: still waiting
async def with_deadline(coro, seconds):
    start = time.perf_counter()
    result = await coro
    return result if time.perf_counter() - start <= seconds else None
