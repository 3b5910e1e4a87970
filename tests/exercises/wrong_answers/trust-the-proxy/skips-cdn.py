# Wrong: xheaders=True alone: Tornado takes the rightmost address, the CDN node that nginx appended.
# Expect: Pass trusted_downstream=[...] with the CDN's addresses, so it skips them
def make_server(app):
    """The HTTPServer for ``app`` behind the CDN and nginx; not listening yet."""
    return HTTPServer(app, xheaders=True)
