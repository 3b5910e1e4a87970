# Wrong: protocol="https" because visitors use https, so a request that came in plain http is called https too.
# Expect: leave out protocol=: it makes every request https
def make_server(app):
    """The HTTPServer for ``app`` behind the CDN and nginx; not listening yet."""
    return HTTPServer(app, xheaders=True, protocol="https", trusted_downstream=["10.0.0.5", "10.0.0.6"])
