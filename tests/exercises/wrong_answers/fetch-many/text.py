# Wrong: returns response.content, the body as bytes, not as text.
# Expect: response.text, not response.content
async def fetch_all(client, urls):
    responses = await asyncio.gather(*(client.get(url) for url in urls))
    return [response.content for response in responses]
