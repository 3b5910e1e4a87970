# Wrong: the timeout is right, but its TimeoutError escapes instead of becoming None.
# Expect: catch TimeoutError and return None
async def with_deadline(coro, seconds):
    async with asyncio.timeout(seconds):
        return await coro
