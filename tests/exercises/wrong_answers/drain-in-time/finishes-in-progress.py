# Wrong: closes every connection at once, so the requests in progress never get their answers.
# Expect: wait while app.in_progress is not empty
async def drain(server, app, timeout):
    """Stop accepting; let the requests in progress finish for up to ``timeout`` s; close the rest."""
    server.stop()
    server.conn_params.no_keep_alive = True
    await server.close_all_connections()
