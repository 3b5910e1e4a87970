# Wrong: asyncio.wait gives up at the deadline but leaves the slow coroutine running.
# Expect: left slow() running
async def with_deadline(coro, seconds):
    task = asyncio.ensure_future(coro)
    done, _ = await asyncio.wait({task}, timeout=seconds)
    return task.result() if done else None
