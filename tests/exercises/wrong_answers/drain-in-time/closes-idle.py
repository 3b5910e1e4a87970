# Wrong: never closes the connections, so idle keep-alive ones stay open after the drain.
# Expect: end with `await server.close_all_connections()`
async def drain(server, app, timeout):
    """Stop accepting; let the requests in progress finish for up to ``timeout`` s; close the rest."""
    server.stop()
    server.conn_params.no_keep_alive = True
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while app.in_progress and loop.time() < deadline:
        await asyncio.sleep(0.02)
