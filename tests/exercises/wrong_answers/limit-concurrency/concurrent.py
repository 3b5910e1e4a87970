# Wrong: awaits one request after another, so never more than one is in flight.
# Expect: don't await them one by one
async def fetch_limited(urls, limit):
    async with httpx.AsyncClient(timeout=5) as client:
        return [(await client.get(url)).text for url in urls]
