# Wrong: collects the bodies as the requests finish (asyncio.as_completed), so the quickest comes first.
# Expect: keep that order
async def fetch_all(client, urls):
    return [(await response).text for response in asyncio.as_completed([client.get(url) for url in urls])]
