# Wrong: awaits one fetch after another, so the delays add up.
# Expect: asyncio.gather
async def fetch_all(delays):
    return [await fetch(delay) for delay in delays]
