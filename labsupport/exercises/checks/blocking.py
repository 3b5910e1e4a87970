"""Checks for the exercises of lesson 04 (keep the event loop free: sleep, upstream calls, CPU work).

Example, in ``exercises/04-measure-blocking-and-non-blocking-code.ipynb``::

    await labsupport.check("offload-cpu", PrimeHandler)
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import time

import tornado.web

from ..check import CheckFailed, task
from .support import LoopWatch, learner_class, served, served_in_thread

__all__: list[str] = []


class _SlowUpstreamHandler(tornado.web.RequestHandler):
    async def get(self) -> None:
        await asyncio.sleep(0.3)
        self.write("upstream says hi")


async def _together(site, paths: list[str]):
    """Send GETs to ``paths`` at once; return (responses, seconds)."""
    start = time.perf_counter()
    responses = await asyncio.gather(*(site.get(path) for path in paths))
    return responses, time.perf_counter() - start


@task("non-blocking-wait", budget=8)
async def non_blocking_wait(answer) -> str:
    handler = learner_class(answer, "WaitHandler")
    async with served([(r"/wait", handler)]) as site:
        responses, took = await _together(site, ["/wait?seconds=0.3"] * 5)
        for response in responses:
            site.expect(response, 200, text="done", hint="write 'done' after waiting `seconds` seconds.")
    if took < 0.25:
        raise CheckFailed(f"5 requests of 0.3 s came back after {took:.2f} s: the handler did not wait. "
                          "Hint: float(self.get_query_argument('seconds')), then wait that long.")
    return "5 requests of 0.3 s at once answered 'done' together, without blocking the loop"


@task("unblock-the-upstream", budget=8)
async def unblock_the_upstream(answer) -> str:
    handler = learner_class(answer, "ProxyHandler")
    async with served_in_thread([(r"/upstream", _SlowUpstreamHandler)]) as upstream:
        async with served([(r"/", handler, {"upstream": upstream + "upstream"})]) as site:
            responses, took = await _together(site, ["/"] * 5)
            for response in responses:
                site.expect(response, 200, text="upstream says hi",
                            hint="fetch self.upstream with an async client and write its body.")
    if took > 0.9:
        raise CheckFailed(f"5 requests took {took:.1f} s for a 0.3 s upstream: they waited in line. Hint: "
                          "await an async client (httpx.AsyncClient, AsyncHTTPClient) instead of a blocking call.")
    return "5 requests through a 0.3 s upstream answered together, without blocking the loop"


CHECK_PRIME = 400_000_000_000_063  # about 0.55 s of trial division here (0.27 s for 1e14 flaked): far above a pool's stalls


@task("offload-cpu", budget=10)
async def offload_cpu(answer) -> str:
    handler = learner_class(answer, "PrimeHandler")
    # A thread pool is enough here: the GIL changes hands every few ms, so the loop stays
    # responsive, and the check starts no processes of its own.
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        async with served([(r"/prime/([0-9]+)", handler, {"pool": pool})]) as site:
            async with LoopWatch() as watch:
                big, small = await asyncio.gather(site.get(f"/prime/{CHECK_PRIME}"), site.get("/prime/91"))
            for response, n, prime in ((big, CHECK_PRIME, True), (small, 91, False)):
                site.expect(response, 200, data={"n": n, "prime": prime},
                            hint="answer {'n': n, 'prime': is_prime(n)} with n as an int.")
            if watch.blocked:  # raised here, before served() reports a generic stall
                raise CheckFailed(f"the event loop stalled for {watch.longest * 1000:.0f} ms while is_prime ran: it "
                                  "ran on the event loop. Hint: await asyncio.get_running_loop()"
                                  ".run_in_executor(self.pool, is_prime, n).")
    return "is_prime ran on the pool; the event loop never stalled meanwhile"
