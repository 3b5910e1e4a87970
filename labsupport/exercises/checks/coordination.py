"""Checks for the exercises of lesson 06 (queues, semaphores and locks).

Example, in ``exercises/06-coordinate-coroutines-with-queues-and-locks.ipynb``::

    await labsupport.check("worker-pool", run_pool)
"""

from __future__ import annotations

import asyncio
import time

import httpx
import tornado.web

from ..check import CheckFailed, task
from .support import async_function, serve_quietly

__all__: list[str] = []


class _Gauge:
    """Counts how many callers are inside at once, and the most there ever were."""

    def __init__(self) -> None:
        self.now = self.most = 0

    def __enter__(self) -> "_Gauge":
        self.now += 1
        self.most = max(self.most, self.now)
        return self

    def __exit__(self, *exc_info) -> None:
        self.now -= 1


async def _others_left(*, grace: float = 0.05) -> int:
    """How many tasks besides this one are still alive after a short grace period."""
    await asyncio.sleep(grace)
    return len(asyncio.all_tasks() - {asyncio.current_task()})


@task("worker-pool", budget=8)
async def worker_pool(answer) -> str:
    run_pool = async_function(answer, "run_pool")
    gauge = _Gauge()

    async def handle(job: int) -> int:
        with gauge:
            await asyncio.sleep(0.05)
        return job * job

    jobs = list(range(20))
    started = time.perf_counter()
    results = await run_pool(jobs, handle, workers=4)
    took = time.perf_counter() - started
    if results != [job * job for job in jobs]:
        raise CheckFailed(f"run_pool returned {results!r:.80}, expected the results in job order: "
                          "[0, 1, 4, 9, ...]. Hint: put (index, job) pairs in the queue.")
    if gauge.most > 4:
        raise CheckFailed(f"{gauge.most} jobs ran at once, expected at most 4 (workers=4). "
                          "Hint: start exactly `workers` worker coroutines that take jobs from one queue.")
    if gauge.most < 4 or took > 0.6:
        raise CheckFailed(f"at most {gauge.most} job(s) ran at once and 20 jobs took {took:.2f} s; with 4 workers "
                          "they should overlap, 4 at a time. Hint: start all the workers before awaiting join().")
    left = await _others_left()
    if left:
        raise CheckFailed(f"{left} task(s) were still running after run_pool returned. "
                          "Hint: cancel the workers in a `finally:` once join() returns.")
    return "20 jobs ran 4 at a time, results came back in order, and no worker was left running"


class _SlowPageHandler(tornado.web.RequestHandler):
    def initialize(self, gauge: _Gauge) -> None:
        self.gauge = gauge

    async def get(self, name: str) -> None:
        with self.gauge:
            await asyncio.sleep(0.05)
        if name.startswith("missing"):
            raise tornado.web.HTTPError(404)
        self.write(name)


@task("polite-fetch", budget=8)
async def polite_fetch(answer) -> str:
    fetch_all = async_function(answer, "fetch_all")
    gauge = _Gauge()
    server = serve_quietly([(r"/(\w+)", _SlowPageHandler, {"gauge": gauge})])
    urls = [f"{server.url}page{n}" for n in range(10)] + [f"{server.url}missing{n}" for n in range(2)]
    try:
        async with httpx.AsyncClient(timeout=3) as client:
            statuses = await fetch_all(client, urls, limit=3)
    finally:
        await server.aclose()
    expected = {url: 404 if "missing" in url else 200 for url in urls}
    if statuses != expected:
        raise CheckFailed(f"fetch_all returned {statuses!r:.100}, expected {{url: status code}} for all "
                          f"{len(urls)} URLs (200, or 404 for the missing ones). Hint: response.status_code.")
    if gauge.most > 3:
        raise CheckFailed(f"the server saw {gauge.most} requests at once, expected at most 3 (limit=3). "
                          "Hint: `async with semaphore:` around each request, with tornado.locks.Semaphore(limit).")
    if gauge.most < 2:
        raise CheckFailed("the server saw one request at a time: with limit=3 up to 3 may run at once. "
                          "Hint: start every request, and let the semaphore hold back the extra ones.")
    return "12 URLs fetched, and the server never saw more than 3 requests at once"


@task("safe-counter", budget=8)
async def safe_counter(answer) -> str:
    async_function(answer, "SafeLedger", method="visit(self, page)")
    ledger = answer()
    pages = ["/home", "/about"] * 50
    await asyncio.gather(*(ledger.visit(page) for page in pages))
    counts = {page: await ledger.read(page) for page in ("/home", "/about")}
    if counts != {"/home": 50, "/about": 50}:
        raise CheckFailed(f"after 50 visits to each page at once, the counts were {counts}, expected 50 each: "
                          "updates were lost. Hint: hold a tornado.locks.Lock from the read to the write.")
    return "100 visits at once were all counted: 50 for each page"
