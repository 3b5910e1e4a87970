# Wrong: takes only 200 for a success, so a 201 Created counts as an error.
# Expect: not only 200
async def safe_get(client, url):
    try:
        response = await client.get(url)
    except httpx.ConnectError:
        return ("unreachable", None)
    except httpx.TimeoutException:
        return ("timeout", None)
    if response.status_code == 200:
        return ("ok", response.text)
    return ("http-error", response.status_code)
