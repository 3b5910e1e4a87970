# Wrong: asyncio.timeout_at takes an instant on the loop's clock, not a number of seconds, so
# timeout_at(0.2) is long past and every coroutine is given up on at once.
# Expect: gave up after 0.0 s
async def with_deadline(coro, seconds):
    try:
        async with asyncio.timeout_at(seconds):
            return await coro
    except TimeoutError:
        return None
