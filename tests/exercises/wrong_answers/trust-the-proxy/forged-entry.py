# Wrong: trusts nginx's 127.0.0.1 too, which never appends itself: a client on this machine then chooses its address.
# Expect: trust only the CDN's nodes, ['10.0.0.5', '10.0.0.6']. nginx is the socket's peer
def make_server(app):
    """The HTTPServer for ``app`` behind the CDN and nginx; not listening yet."""
    return HTTPServer(app, xheaders=True, trusted_downstream=["127.0.0.1", "10.0.0.5", "10.0.0.6"])
