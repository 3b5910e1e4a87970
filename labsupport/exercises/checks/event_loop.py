"""Checks for the exercises of lesson 01 (coroutines, gather, timeouts, blocking calls).

Example, in ``exercises/01-meet-the-event-loop.ipynb``::

    await labsupport.check("gather-with-budget", fetch_all)
"""

from __future__ import annotations

import asyncio
import inspect
import time

from ..check import CheckFailed, task
from .support import LoopWatch, async_function

__all__: list[str] = []


async def _closing(function, coroutine, *args):
    """Call ``function(coroutine, *args)``; close the coroutine after, in case it was never awaited."""
    try:
        return await function(coroutine, *args)
    finally:
        if inspect.getcoroutinestate(coroutine) == inspect.CORO_CREATED:  # never started: no warning
            coroutine.close()


@task("gather-with-budget")
async def gather_with_budget(fetch_all) -> str:
    async_function(fetch_all, "fetch_all", ask_if_run=False)
    delays = [0.3, 0.1, 0.2]
    start = time.perf_counter()
    results = await fetch_all(delays)
    took = time.perf_counter() - start
    if results != delays:
        raise CheckFailed(f"fetch_all({delays}) returned {results!r}, expected {delays!r}. Hint: gather "
                          "returns the results in the order you pass the awaitables in.")
    if took > 0.45:
        raise CheckFailed(f"fetch_all({delays}) took {took:.1f} s; run concurrently it takes about 0.3 s, "
                          "the longest delay. Hint: start them all at once with asyncio.gather(*...).")
    return f"fetch_all({delays}) returned in order, in the time of the longest delay"


@task("deadline")
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

    if (result := await _closing(with_deadline, quick(), 1.0)) != "on time":
        raise CheckFailed(f"with_deadline(quick(), 1.0) returned {result!r}, expected 'on time'. "
                          "Hint: return the coroutine's result when it finishes in time.")
    start = time.perf_counter()
    try:
        result = await _closing(with_deadline, slow(), 0.2)
    except TimeoutError:
        raise CheckFailed("with_deadline(slow(), 0.2) let TimeoutError escape. Hint: catch TimeoutError "
                          "and return None.") from None
    took = time.perf_counter() - start
    if result is not None:
        raise CheckFailed(f"with_deadline(slow(), 0.2) returned {result!r}, expected None.")
    if took > 0.5:
        raise CheckFailed(f"with_deadline(slow(), 0.2) took {took:.1f} s. Hint: asyncio.timeout(seconds) "
                          "or asyncio.wait_for(coro, seconds) give up at the deadline.")
    await asyncio.sleep(0.05)
    if not cancelled:
        raise CheckFailed("with_deadline(slow(), 0.2) returned None but left slow() running. Hint: "
                          "asyncio.timeout and wait_for cancel what they gave up on; asyncio.wait does not.")
    return "on time → 'on time'; too slow → None after 0.2 s, and the slow coroutine was cancelled"


@task("unblock-the-kettle")
async def unblock_the_kettle(boil_kettle) -> str:
    async_function(boil_kettle, "boil_kettle", ask_if_run=False)
    start = time.perf_counter()
    async with LoopWatch() as watch:
        result = await boil_kettle()
    took = time.perf_counter() - start
    if watch.blocked:
        raise CheckFailed(f"boil_kettle() held the event loop for {watch.longest:.1f} s, so nothing else "
                          "could run. Hint: time.sleep blocks the thread; await asyncio.sleep(0.3) waits politely.")
    if result != "hot water":
        raise CheckFailed(f"boil_kettle() returned {result!r}, expected 'hot water'.")
    if took < 0.25:
        raise CheckFailed(f"boil_kettle() finished after {took:.2f} s; the kettle still needs its 0.3 s. "
                          "Hint: keep the wait, just make it an await.")
    return "boil_kettle() waited 0.3 s without blocking the loop"
