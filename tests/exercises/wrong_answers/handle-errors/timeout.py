# Wrong: catches the broad httpx.TransportError first, so a timeout, which is one too, comes back
# as "unreachable".
# Expect: catch httpx.TimeoutException before any broader error class
async def safe_get(client, url):
    try:
        response = await client.get(url)
        response.raise_for_status()
    except httpx.HTTPStatusError as exc:
        return ("http-error", exc.response.status_code)
    except httpx.TransportError:
        return ("unreachable", None)
    except httpx.TimeoutException:
        return ("timeout", None)
    return ("ok", response.text)
