# Wrong: never sets no_keep_alive, so an answer during the drain invites the client to send more on that connection.
# Expect: server.conn_params.no_keep_alive = True right after server.stop()
async def drain(server, app, timeout):
    """Stop accepting; let the requests in progress finish for up to ``timeout`` s; close the rest."""
    server.stop()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while app.in_progress and loop.time() < deadline:
        await asyncio.sleep(0.02)
    await server.close_all_connections()
