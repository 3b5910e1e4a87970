# Wrong: response.is_client_error is true for 4xx only, so a 500 counts as "ok".
# Expect: response.is_client_error is only the 4xx ones
async def safe_get(client, url):
    try:
        response = await client.get(url)
    except httpx.ConnectError:
        return ("unreachable", None)
    except httpx.TimeoutException:
        return ("timeout", None)
    if response.is_client_error:
        return ("http-error", response.status_code)
    return ("ok", response.text)
