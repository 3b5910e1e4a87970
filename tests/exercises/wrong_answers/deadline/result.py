# Wrong: awaits the coroutine but forgets to return its result, so an on-time coroutine gives None.
# Expect: return the coroutine's result
async def with_deadline(coro, seconds):
    try:
        async with asyncio.timeout(seconds):
            await coro
    except TimeoutError:
        return None
