"""Checks for the exercises of lesson 01 (coroutines, gather, timeouts, blocking calls).

Example, in ``exercises/01-meet-the-event-loop.ipynb``::

    await labsupport.check("gather-with-budget", fetch_all)
"""

from __future__ import annotations

import asyncio
import inspect
import time

from ..check import CheckFailed, requirement, task
from .support import LoopWatch, async_function

__all__: list[str] = []


async def _closing(function, coroutine, *args):
    """Call ``function(coroutine, *args)``; close the coroutine after, in case it was never awaited."""
    try:
        return await function(coroutine, *args)
    finally:
        if inspect.getcoroutinestate(coroutine) == inspect.CORO_CREATED:  # never started: no warning
            coroutine.close()


@task("gather-with-budget", requirements={
    "in-order": "fetch_all returns the results in the order of `delays`, not in the order they finish",
    "concurrent": "the fetches run together, in about 0.3 s, not one after another",
    "waits-for-all": "fetch_all waits for every fetch to finish before it returns their results",
})
async def gather_with_budget(fetch_all) -> str:
    async_function(fetch_all, "fetch_all", ask_if_run=False)
    delays = [0.3, 0.1, 0.2]  # the slowest first: finishing order is not the order asked for
    requirement("concurrent")
    start = time.perf_counter()
    results = await fetch_all(delays)
    took = time.perf_counter() - start
    if took > 0.45:
        raise CheckFailed(f"fetch_all({delays}) took {took:.1f} s; run concurrently it takes about 0.3 s, "
                          "the longest delay. Hint: start them all at once with asyncio.gather(*...).")
    requirement("waits-for-all")
    if took < 0.24:
        raise CheckFailed(f"fetch_all({delays}) returned after {took:.2f} s, before the 0.3 s fetch could have "
                          "finished, so its results cannot be the fetches' own. Hint: await them all, with "
                          "asyncio.gather, and return what it gives.")
    requirement("in-order")
    if results != delays:
        raise CheckFailed(f"fetch_all({delays}) returned {results!r}, expected {delays!r}. Hint: gather "
                          "returns the results in the order you pass the awaitables in.")
    return f"fetch_all({delays}) returned in order, in the time of the longest delay"


@task("deadline", requirements={
    "none": "a coroutine still running at the deadline gives None, not TimeoutError",
    "not-before-deadline": "with_deadline gives the coroutine all its `seconds` before giving up",
    "at-deadline": "with_deadline gives up at the deadline, about 0.2 s, not once the slow coroutine ends",
    "cancels": "the coroutine given up on is cancelled, not left running",
    "result": "a coroutine that finishes in time gives its result",
    "result-at-once": "an on-time result comes back as soon as the coroutine finishes, not at the deadline",
})
async def deadline(with_deadline) -> str:
    async_function(with_deadline, "with_deadline", ask_if_run=False)
    cancelled = []

    async def slow():
        try:
            await asyncio.sleep(5)
        finally:
            cancelled.append(True)
        return "too late"

    async def quick():
        await asyncio.sleep(0.05)
        return "on time"

    async def give_up_on_slow():  # (escaped, result): the learner's TimeoutError, told from the check's own
        try:
            return False, await _closing(with_deadline, slow(), 0.2)
        except TimeoutError:
            return True, None

    requirement("none")
    start = time.perf_counter()
    try:
        escaped, result = await asyncio.wait_for(give_up_on_slow(), 1.5)
    except TimeoutError:
        requirement("at-deadline")
        raise CheckFailed("with_deadline(slow(), 0.2) was still waiting 1.5 s later, for a coroutine that takes 5 s. "
                          "Hint: give up at the deadline with asyncio.timeout(seconds) around the await, rather "
                          "than timing the coroutine once it has finished.") from None
    if escaped:
        raise CheckFailed("with_deadline(slow(), 0.2) let TimeoutError escape. Hint: catch TimeoutError "
                          "and return None.")
    took = time.perf_counter() - start
    if result is not None:
        raise CheckFailed(f"with_deadline(slow(), 0.2) returned {result!r}, expected None.")
    requirement("not-before-deadline")
    if took < 0.16:
        raise CheckFailed(f"with_deadline(slow(), 0.2) gave up after {took:.1f} s, before its 0.2 s deadline. "
                          "Hint: asyncio.timeout(seconds) counts from now; asyncio.timeout_at(when) wants an "
                          "instant on the loop's clock, loop.time() + seconds.")
    requirement("at-deadline")
    if took > 0.5:
        raise CheckFailed(f"with_deadline(slow(), 0.2) took {took:.1f} s. Hint: asyncio.timeout(seconds) "
                          "or asyncio.wait_for(coro, seconds) give up at the deadline.")
    requirement("cancels")
    await asyncio.sleep(0.05)
    if not cancelled:
        raise CheckFailed("with_deadline(slow(), 0.2) returned None but left slow() running. Hint: "
                          "asyncio.timeout and wait_for cancel what they gave up on; asyncio.wait does not.")
    requirement("result")
    start = time.perf_counter()
    result = await _closing(with_deadline, quick(), 1.0)
    took = time.perf_counter() - start
    if result != "on time":
        raise CheckFailed(f"with_deadline(quick(), 1.0) returned {result!r}, expected 'on time'. "
                          "Hint: return the coroutine's result when it finishes in time.")
    requirement("result-at-once")
    if took > 0.5:
        raise CheckFailed(f"with_deadline(quick(), 1.0) returned 'on time' after {took:.1f} s, for a coroutine "
                          "that takes 0.05 s: it waited for the deadline. Hint: await the coroutine itself, "
                          "inside the timeout, rather than sleeping until the deadline.")
    return "too slow → None after 0.2 s, and the slow coroutine was cancelled; on time → 'on time' at once"


@task("unblock-the-kettle", requirements={
    "lets-loop-run": "boil_kettle() lets the event loop run other work while the kettle boils",
    "hot-water": "boil_kettle() returns 'hot water'",
    "takes-its-time": "the kettle still boils for about 0.3 s, no less and not much more",
})
async def unblock_the_kettle(boil_kettle) -> str:
    async_function(boil_kettle, "boil_kettle", ask_if_run=False)
    requirement("lets-loop-run")
    start = time.perf_counter()
    async with LoopWatch() as watch:
        result = await boil_kettle()
    took = time.perf_counter() - start
    if watch.blocked:
        raise CheckFailed(f"boil_kettle() held the event loop for {watch.longest:.1f} s, so nothing else "
                          "could run. Hint: time.sleep blocks the thread; await asyncio.sleep(0.3) waits politely.")
    requirement("hot-water")
    if result != "hot water":
        raise CheckFailed(f"boil_kettle() returned {result!r}, expected 'hot water'. "
                          "Hint: return it once the wait is over.")
    requirement("takes-its-time")
    if took < 0.24:
        raise CheckFailed(f"boil_kettle() finished after {took:.2f} s; the kettle still needs its 0.3 s. "
                          "Hint: keep the wait, just make it an await.")
    if took > 0.7:
        raise CheckFailed(f"boil_kettle() took {took:.1f} s; the kettle needs 0.3 s. "
                          "Hint: wait once, for 0.3 s.")
    return "boil_kettle() waited 0.3 s without blocking the loop"
