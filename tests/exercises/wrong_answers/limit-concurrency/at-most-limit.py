# Wrong: sends every request at once and ignores the limit.
# Expect: expected at most
async def fetch_limited(urls, limit):
    async with httpx.AsyncClient(timeout=5) as client:
        responses = await asyncio.gather(*(client.get(url) for url in urls))
    return [response.text for response in responses]
