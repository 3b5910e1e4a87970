# Wrong: forgets server.stop(), so the listening socket stays open and new visitors keep coming in.
# Expect: call server.stop() first
async def drain(server, app, timeout):
    """Stop accepting; let the requests in progress finish for up to ``timeout`` s; close the rest."""
    server.conn_params.no_keep_alive = True
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while app.in_progress and loop.time() < deadline:
        await asyncio.sleep(0.02)
    await server.close_all_connections()
