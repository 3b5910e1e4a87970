# Wrong: sends the URLs in batches of three, so the second batch waits for the slowest of the first.
# Expect: don't split the URLs into batches
async def fetch_all(client, urls):
    bodies = []
    for first in range(0, len(urls), 3):
        responses = await asyncio.gather(*(client.get(url) for url in urls[first:first + 3]))
        bodies += [response.text for response in responses]
    return bodies
