# Wrong: a fixed Semaphore(2), whatever `limit` is.
# Expect: use the limit you were given
async def fetch_limited(urls, limit):
    semaphore = asyncio.Semaphore(2)
    async with httpx.AsyncClient(timeout=5) as client:
        async def fetch(url):
            async with semaphore:
                return (await client.get(url)).text
        return await asyncio.gather(*(fetch(url) for url in urls))
