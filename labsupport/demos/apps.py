"""The demo servers of lesson 04, run in their own process with ``serve_process``.

Example::

    import labsupport
    slow = labsupport.serve_process("labsupport.demos.apps:make_sleep_app", settings={"seconds": 0.5})
    # GET /blocking sleeps with time.sleep, GET /async with await asyncio.sleep
    prime = labsupport.serve_process("labsupport.demos.apps:make_prime_app", settings={"workers": 2})
    # GET /inline/N, /threads/N, /processes/N answer whether N is prime; GET / answers at once
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import time

import tornado.web

__all__ = ["BIG_PRIME", "is_prime", "make_prime_app", "make_sleep_app"]

BIG_PRIME = 9_999_999_999_971  # the naive check below takes about 200 ms for it here


def is_prime(n: int) -> bool:
    """Trial division by every odd number up to the square root: slow on purpose."""
    if n < 2:
        return False
    if n % 2 == 0:
        return n == 2
    divisor = 3
    while divisor * divisor <= n:
        if n % divisor == 0:
            return False
        divisor += 2
    return True


class BlockingSleepHandler(tornado.web.RequestHandler):
    def get(self) -> None:
        time.sleep(self.settings["seconds"])  # holds the only thread: every other request waits
        self.write("done")


class AsyncSleepHandler(tornado.web.RequestHandler):
    async def get(self) -> None:
        await asyncio.sleep(self.settings["seconds"])  # the loop serves others meanwhile
        self.write("done")


class HelloHandler(tornado.web.RequestHandler):
    def get(self) -> None:
        self.write("Hello, world")


class PrimeHandler(tornado.web.RequestHandler):
    """GET /<how>/<n>: is n prime? ``how`` is inline, threads or processes."""

    async def get(self, how: str, number: str) -> None:
        n = int(number)
        if how == "inline":
            answer = is_prime(n)
        else:
            pool = self.settings["thread_pool" if how == "threads" else "process_pool"]
            answer = await asyncio.get_running_loop().run_in_executor(pool, is_prime, n)
        self.write({"n": n, "prime": answer})


def make_sleep_app(*, seconds: float = 0.5, **settings) -> tornado.web.Application:
    """``/blocking`` and ``/async`` each wait ``seconds`` before answering; ``/`` answers at once."""
    return tornado.web.Application([(r"/", HelloHandler), (r"/blocking", BlockingSleepHandler),
                                    (r"/async", AsyncSleepHandler)], seconds=seconds, **settings)


def make_prime_app(*, workers: int = 2, **settings) -> tornado.web.Application:
    """Prime checks served inline, on a thread pool and on a process pool of ``workers``."""
    return tornado.web.Application(
        [(r"/", HelloHandler), (r"/(inline|threads|processes)/([0-9]{1,18})", PrimeHandler)],
        thread_pool=concurrent.futures.ThreadPoolExecutor(workers),
        process_pool=concurrent.futures.ProcessPoolExecutor(workers), **settings)
