# Wrong: handles error statuses and timeouts, but a refused connection's ConnectError escapes.
# Expect: catch httpx.ConnectError
async def safe_get(client, url):
    try:
        response = await client.get(url)
        response.raise_for_status()
    except httpx.HTTPStatusError as exc:
        return ("http-error", exc.response.status_code)
    except httpx.TimeoutException:
        return ("timeout", None)
    return ("ok", response.text)
