"""Checks for the exercises of lesson 06 (a pool of workers, back-pressure, waiting for an Event).

Example, in ``exercises/06-coordinate-coroutines-with-queues-and-locks.ipynb``::

    await labsupport.check("worker-pool", run_pool)
"""

from __future__ import annotations

import asyncio
import time

from ..check import CheckFailed, task
from .support import async_function, not_done

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


@task("back-pressure", budget=8)
async def back_pressure(answer) -> str:
    pipeline = async_function(answer, "pipeline")
    seen = {"pulled": 0, "handled": 0, "most_ahead": 0, "longest_wait": 0.0}

    async def source():  # 20 items, all ready at once: only the queue can hold the producer back
        last = time.perf_counter()
        for item in range(20):
            now = time.perf_counter()
            seen["longest_wait"], last = max(seen["longest_wait"], now - last), now
            seen["pulled"] += 1
            seen["most_ahead"] = max(seen["most_ahead"], seen["pulled"] - seen["handled"])
            yield item

    async def handle(item: int) -> int:
        seen["handled"] += 1
        await asyncio.sleep(0.02)
        return item * 10

    results = await pipeline(source(), handle, maxsize=3)
    if results != [item * 10 for item in range(20)]:
        raise CheckFailed(f"pipeline returned {results!r:.80}, expected the 20 results in order: [0, 10, 20, ...]. "
                          "Hint: return the list that consume() fills, after awaiting the consumer task.")
    # The producer's lead over the consumer: the items waiting in the queue, plus the one it holds.
    if seen["most_ahead"] > 4:
        raise CheckFailed(f"the producer got {seen['most_ahead']} items ahead of the consumer: the queue held up to "
                          f"{seen['most_ahead'] - 1} items, more than maxsize=3. Hint: tornado.queues.Queue(maxsize=maxsize), "
                          "and `await queue.put(item)`, which waits while the queue is full.")
    if seen["most_ahead"] < 3 or seen["longest_wait"] < 0.01:
        raise CheckFailed(f"the producer never filled the queue (at most {seen['most_ahead']} item(s) ahead of the consumer) "
                          "and never had to wait. Hint: start consume() as a task first, then put the items in its queue "
                          "while it works.")
    left = await _others_left()
    if left:
        raise CheckFailed(f"{left} task(s) were still running after pipeline returned. "
                          "Hint: put None at the end, and await the consumer task before returning.")
    return "20 items went through Queue(maxsize=3): the producer waited whenever it was full, and the results came in order"


class _CountingStore:
    """The check's SlowStore: counts how often everything is loaded."""

    def __init__(self) -> None:
        self.loads = 0

    async def load_all(self) -> dict[str, str]:
        self.loads += 1
        await asyncio.sleep(0.1)
        return {"ada": "Ada Lovelace", "grace": "Grace Hopper"}


@task("warm-up", budget=8)
async def warm_up(answer) -> str:
    for method in ("load(self)", "get(self, key)"):
        async_function(answer, "Cache", method=method)
    store = _CountingStore()
    cache = answer(store)
    early = [asyncio.create_task(cache.get("ada")) for _ in range(5)]
    await asyncio.sleep(0.05)
    answered = [get for get in early if get.done()]
    if answered:
        for get in early:
            get.cancel()
        errors = [get.exception() for get in answered if get.exception() is not None]
        not_done(errors)
        what = f"raised {type(errors[0]).__name__}" if errors else f"returned {answered[0].result()!r}"
        raise CheckFailed(f"get('ada') {what} before load() was even called; it should wait for the load. "
                          "Hint: make get() await the wait() of a tornado.locks.Event that load() sets.")
    await cache.load()
    try:
        answers = await asyncio.wait_for(asyncio.gather(*early), 2)
    except TimeoutError:
        raise CheckFailed("the 5 get('ada') calls were still waiting 2 s after load() had finished. "
                          "Hint: set() the Event at the end of load().") from None
    if answers != ["Ada Lovelace"] * 5:
        raise CheckFailed(f"the 5 get('ada') calls returned {answers!r:.100}, expected 'Ada Lovelace' each. "
                          "Hint: return self.data[key] once the Event is set.")
    try:
        late = await asyncio.wait_for(cache.get("grace"), 1)
    except TimeoutError:
        raise CheckFailed("a get('grace') called after load() had finished was still waiting 1 s later. Hint: use a "
                          "tornado.locks.Event, which stays set; a Condition wakes only the coroutines already waiting.") from None
    if late != "Grace Hopper":
        raise CheckFailed(f"after the load, get('grace') returned {late!r:.60}, expected 'Grace Hopper'. "
                          "Hint: return self.data[key].")
    if store.loads != 1:
        raise CheckFailed(f"the store was loaded {store.loads} times, expected once, by load(). "
                          "Hint: get() only waits for the Event; it never reads the store itself.")
    return "5 get()s waited for load(), then all answered, and a get() after the load answered at once"
