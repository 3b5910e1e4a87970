# Wrong: no deadline: waits for as long as any request runs, so one slow request holds the deploy up.
# Expect: stop waiting at the deadline
async def drain(server, app, timeout):
    """Stop accepting; let the requests in progress finish for up to ``timeout`` s; close the rest."""
    server.stop()
    server.conn_params.no_keep_alive = True
    while app.in_progress:
        await asyncio.sleep(0.02)
    await server.close_all_connections()
