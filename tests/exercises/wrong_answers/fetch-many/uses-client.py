# Wrong: opens a client of its own instead of using the one it is given.
# Expect: use the client you were given
async def fetch_all(client, urls):
    async with httpx.AsyncClient() as own:
        responses = await asyncio.gather(*(own.get(url) for url in urls))
    return [response.text for response in responses]
