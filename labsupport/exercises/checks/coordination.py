"""Checks for the exercises of lesson 06 (a pool of workers, back-pressure, waiting for an Event).

Example, in ``exercises/06-coordinate-coroutines-with-queues-and-locks.ipynb``::

    await labsupport.check("worker-pool", run_pool)
"""

from __future__ import annotations

import asyncio

import tornado.queues

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


class _Hung(Exception):
    """The learner's coroutine was still running at the check's time limit."""


async def _unless_a_task_dies(coroutine, name: str, *, limit: float, poll: float = 0.02):
    """Await ``coroutine`` (the call of ``name``); fail if a task it starts dies of an exception.

    A worker that raises leaves ``join()`` waiting for ever; this turns that hang into a verdict, and
    a stub worker's NotImplementedError into "not done yet". Raises _Hung after ``limit`` s.
    """
    loop, started = asyncio.get_running_loop(), []

    def record(loop, coro, **kwargs):  # the loop's task factory: sees every create_task, gather, TaskGroup
        started.append(asyncio.Task(coro, loop=loop, **kwargs))
        return started[-1]

    def died() -> list[BaseException]:
        done = [task for task in started if task is not main and task.done() and not task.cancelled()]
        return [task.exception() for task in done if task.exception() is not None]

    loop.set_task_factory(record)
    try:
        main, deadline = asyncio.ensure_future(coroutine), loop.time() + limit
        while not main.done() and not died() and loop.time() < deadline:
            await asyncio.wait([main], timeout=poll)
        hung = not main.done()
        if hung:
            main.cancel()
            await asyncio.wait([main])
        if errors := died():
            if not main.cancelled():
                main.exception()  # a TaskGroup's ExceptionGroup of the same errors: reported below instead
            not_done(errors)
            after = f", and then {name} waited for ever" if hung else ""
            raise CheckFailed(f"a task that {name} started raised {type(errors[0]).__name__}: {errors[0]}{after}. "
                              "Hint: a worker should only take a job, await handle(job), store the result, "
                              "and call task_done().")
        if hung:
            raise _Hung
        return main.result()
    finally:
        loop.set_task_factory(None)


@task("worker-pool", budget=8)
async def worker_pool(answer) -> str:
    run_pool = async_function(answer, "run_pool")
    for jobs, workers in ((list(range(20)), 4), ([5, 6, 7, 8, 9, 10], 2)):
        gauge, tasks, handled = _Gauge(), set(), []

        async def handle(job: int) -> int:
            tasks.add(asyncio.current_task())  # which coroutine runs it: a worker, or a task per job
            handled.append(job)
            with gauge:
                await asyncio.sleep(0.05)
            return job * job

        try:
            results = await _unless_a_task_dies(run_pool(jobs, handle, workers=workers), "run_pool", limit=3)
        except TimeoutError:
            raise CheckFailed("run_pool raised TimeoutError. Hint: a number as timeout= is a deadline on the "
                              "IOLoop.time() clock, long past; give a datetime.timedelta, or no timeout.") from None
        except _Hung:
            if len(handled) == len(jobs):
                raise CheckFailed(f"all {len(jobs)} jobs were handled, but run_pool was still waiting 3 s later. "
                                  "Hint: join() returns once task_done() has been called for every job put.") from None
            raise CheckFailed(f"run_pool handled {len(handled)} of {len(jobs)} jobs and was still waiting 3 s later. "
                              "Hint: put every job in the queue before awaiting join(), and start the workers.") from None
        if results != [job * job for job in jobs]:
            raise CheckFailed(f"run_pool returned {results!r:.80}, expected the results in job order: "
                              f"{[job * job for job in jobs[:4]]!r:.20}... Hint: let each queue item carry the job's index.")
        if gauge.most > workers:
            raise CheckFailed(f"{gauge.most} jobs ran at once, expected at most {workers} (workers={workers}). "
                              "Hint: start exactly `workers` worker coroutines that take jobs from one queue.")
        if len(tasks) != workers:
            raise CheckFailed(f"with workers={workers}, handle() ran in {len(tasks)} different tasks, expected {workers}: "
                              "one per worker, each taking job after job. Hint: start `workers` worker tasks that "
                              "take jobs from one tornado.queues.Queue, not a task (or a Semaphore) per job.")
        if gauge.most < workers:
            raise CheckFailed(f"at most {gauge.most} job(s) ran at once, expected {workers} at a time (workers={workers}). "
                              "Hint: start all the workers before awaiting join().")
        left = await _others_left()
        if left:
            raise CheckFailed(f"{left} task(s) were still running after run_pool returned. "
                              "Hint: cancel the workers in a `finally:` once join() returns.")
    return "20 jobs ran 4 at a time in 4 worker tasks (and 6 in 2), results came back in order, and no worker was left running"


@task("back-pressure", budget=8)
async def back_pressure(answer) -> str:
    pipeline = async_function(answer, "pipeline")
    maxsize = 3
    # Items the producer has taken from source whose handling has not finished yet: with the queue
    # full, that is maxsize in the queue + 1 being handled + 1 in the producer's hand, waiting to go in.
    seen = {"pulled": 0, "finished": 0, "most_ahead": 0}

    async def source():  # 20 items, all ready at once: only the queue can hold the producer back
        for item in range(20):
            seen["pulled"] += 1
            seen["most_ahead"] = max(seen["most_ahead"], seen["pulled"] - seen["finished"])
            yield item

    async def handle(item: int) -> int:
        await asyncio.sleep(0.02)
        seen["finished"] += 1
        return item * 10

    running = asyncio.ensure_future(pipeline(source(), handle, maxsize=maxsize))
    if not (await asyncio.wait([running], timeout=4))[0]:
        running.cancel()
        await asyncio.wait([running])
        if seen["finished"] == 0:
            raise CheckFailed(f"pipeline took {seen['pulled']} items and then waited for ever: the queue was full and "
                              "nobody was taking items out. Hint: start consume() as a task before the first put.")
        raise CheckFailed(f"pipeline did not return within 4 s ({seen['finished']} of 20 items handled). "
                          "Hint: put None after the last item, so that consume() stops, then await it.")
    try:
        results = running.result()
    except tornado.queues.QueueFull:
        raise CheckFailed("put_nowait() raised QueueFull as soon as the queue was full. "
                          "Hint: use the put that waits for room instead.") from None
    except TimeoutError:
        raise CheckFailed("pipeline raised TimeoutError. Hint: a number as timeout= is a deadline on the "
                          "IOLoop.time() clock, long past; give a datetime.timedelta, or no timeout.") from None
    if results != [item * 10 for item in range(20)]:
        raise CheckFailed(f"pipeline returned {results!r:.80}, expected the 20 results in order: [0, 10, 20, ...]. "
                          "Hint: return the list that consume() fills, after awaiting the consumer task.")
    limit, ahead = maxsize + 2, seen["most_ahead"]
    if ahead > limit:
        raise CheckFailed(f"the producer got {ahead} items ahead of the handled ones, so the queue held more than "
                          f"maxsize={maxsize}: with a full Queue(maxsize={maxsize}) it is {limit} ahead ({maxsize} in the "
                          "queue, 1 being handled, 1 waiting to go in). Hint: give the queue its maxsize, and use the "
                          "put that waits while the queue is full.")
    if ahead < limit:
        raise CheckFailed(f"the producer got at most {ahead} item(s) ahead of the handled ones; with a full "
                          f"Queue(maxsize={maxsize}) it is {limit} ({maxsize} in the queue, 1 being handled, 1 waiting "
                          f"to go in), so the queue never held {maxsize} items. Hint: give the queue exactly the maxsize "
                          "pipeline is given, and let the consumer work while the producer puts.")
    left = await _others_left()
    if left:
        raise CheckFailed(f"{left} task(s) were still running after pipeline returned. "
                          "Hint: put None at the end, and await the consumer task before returning.")
    return (f"20 items went through Queue(maxsize={maxsize}): the producer waited whenever it was full, "
            f"never more than {limit} items ahead of the handled ones, and the results came in order")


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
    late = asyncio.ensure_future(cache.get("grace"))
    for _ in range(10):  # a few turns of the loop, no time at all: waiting on a set Event returns a finished future
        await asyncio.sleep(0)
    if not late.done():
        try:
            await asyncio.wait_for(late, 1)
        except TimeoutError:
            raise CheckFailed("a get('grace') called after load() had finished was still waiting 1 s later. Hint: use a "
                              "tornado.locks.Event, which stays set; a Condition wakes only the coroutines already waiting.") from None
        raise CheckFailed("a get('grace') called after load() had finished did not answer at once: it waited for "
                          "something else first. Hint: once the Event is set, get() should only await its wait().")
    if late.exception() is not None:
        raise late.exception()
    if late.result() != "Grace Hopper":
        raise CheckFailed(f"after the load, get('grace') returned {late.result()!r:.60}, expected 'Grace Hopper'. "
                          "Hint: return self.data[key].")
    if store.loads != 1:
        raise CheckFailed(f"the store was loaded {store.loads} times, expected once, by load(). "
                          "Hint: get() only waits for the Event; it never reads the store itself.")
    return "5 get()s waited for load(), then all answered, and a get() after the load answered at once"
