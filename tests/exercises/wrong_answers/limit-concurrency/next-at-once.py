# Wrong: sends the URLs in batches of `limit`, so the quick requests of a batch wait for its slowest
# before the next batch starts: never more than `limit` at once, but often fewer.
# Expect: don't send them in batches of `limit`
async def fetch_limited(urls, limit):
    bodies = []
    async with httpx.AsyncClient(timeout=5) as client:
        for first in range(0, len(urls), limit):
            responses = await asyncio.gather(*(client.get(url) for url in urls[first:first + limit]))
            bodies += [response.text for response in responses]
    return bodies
