# Wrong: never calls raise_for_status(), so a 404 or a 500 counts as "ok": httpx does not raise for an error status.
# Expect: call response.raise_for_status()
async def safe_get(client, url):
    try:
        response = await client.get(url)
    except httpx.ConnectError:
        return ("unreachable", None)
    except httpx.TimeoutException:
        return ("timeout", None)
    return ("ok", response.text)
