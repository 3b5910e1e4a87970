# Wrong: checks the number on the event loop, so every other request waits for it.
class PrimeHandler(tornado.web.RequestHandler):
    def initialize(self, pool):
        self.pool = pool

    def get(self, number):
        n = int(number)
        self.write({"n": n, "prime": is_prime(n)})
