# Wrong: sleeps the whole timeout, however soon the last request is answered.
# Expect: stop waiting as soon as app.in_progress is empty
async def drain(server, app, timeout):
    """Stop accepting; let the requests in progress finish for up to ``timeout`` s; close the rest."""
    server.stop()
    server.conn_params.no_keep_alive = True
    await asyncio.sleep(timeout)
    await server.close_all_connections()
