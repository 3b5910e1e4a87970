# Wrong: urllib's blocking call freezes the loop while the upstream answers.
# Expect: blocked the event loop
class ProxyHandler(tornado.web.RequestHandler):
    def initialize(self, upstream):
        self.upstream = upstream

    def get(self):
        import urllib.request
        self.write(urllib.request.urlopen(self.upstream, timeout=5).read().decode())
