# Wrong: each request appends its body when it finishes, so the quick ones come before the slow first one.
# Expect: keep that order
async def fetch_limited(urls, limit):
    semaphore, bodies = asyncio.Semaphore(limit), []
    async with httpx.AsyncClient(timeout=5) as client:
        async def fetch(url):
            async with semaphore:
                bodies.append((await client.get(url)).text)
        await asyncio.gather(*(fetch(url) for url in urls))
    return bodies
