# Wrong: no semaphore, so every request is in flight at once.
async def fetch_all(client, urls, *, limit):
    responses = await asyncio.gather(*(client.get(url) for url in urls))
    return {url: response.status_code for url, response in zip(urls, responses)}
