# Wrong: always sleeps for the whole deadline, then looks whether the coroutine is done, so a
# quick coroutine's result waits for the deadline too.
# Expect: waited for the deadline
async def with_deadline(coro, seconds):
    task = asyncio.ensure_future(coro)
    await asyncio.sleep(seconds)
    if task.done():
        return task.result()
    task.cancel()
    return None
