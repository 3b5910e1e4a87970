# Wrong: starts every fetch as a task but returns the delays at once, without waiting for a result.
# Expect: await them all
async def fetch_all(delays):
    for delay in delays:
        asyncio.create_task(fetch(delay))
    return list(delays)
