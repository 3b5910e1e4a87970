# Wrong: trusts only the first CDN node, so visitors who came through 10.0.0.6 get the node's address.
# Expect: trust every node of the CDN
def make_server(app):
    """The HTTPServer for ``app`` behind the CDN and nginx; not listening yet."""
    return HTTPServer(app, xheaders=True, trusted_downstream=["10.0.0.5"])
