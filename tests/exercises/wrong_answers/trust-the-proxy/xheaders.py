# Wrong: trusted_downstream without xheaders=True: Tornado never reads the proxies' headers, so every visitor is nginx.
# Expect: HTTPServer(app, xheaders=True, ...) makes Tornado read X-Forwarded-For
def make_server(app):
    """The HTTPServer for ``app`` behind the CDN and nginx; not listening yet."""
    return HTTPServer(app, trusted_downstream=["10.0.0.5", "10.0.0.6"])
