# Wrong: awaits one request after another, so the waits add up.
# Expect: Hint: start them all
async def fetch_all(client, urls):
    return [(await client.get(url)).text for url in urls]
