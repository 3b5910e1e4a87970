# Wrong: creates the client but never closes it, so its connections stay open after it returns.
# Expect: the client was never closed
async def fetch_limited(urls, limit):
    semaphore = asyncio.Semaphore(limit)
    client = httpx.AsyncClient(timeout=5)

    async def fetch(url):
        async with semaphore:
            return (await client.get(url)).text
    return await asyncio.gather(*(fetch(url) for url in urls))
