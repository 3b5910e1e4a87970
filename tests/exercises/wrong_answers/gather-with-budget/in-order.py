# Wrong: collects the results as they finish (asyncio.as_completed), so the quickest comes first.
# Expect: in the order you pass the awaitables in
async def fetch_all(delays):
    return [await done for done in asyncio.as_completed([fetch(delay) for delay in delays])]
