"""Checks for the exercises of lesson 06 (a pool of workers, back-pressure, waiting for an Event).

Example, in ``exercises/06-coordinate-coroutines-with-queues-and-locks.ipynb``::

    await labsupport.check("worker-pool", run_pool)
"""

from __future__ import annotations

import asyncio
import time

import tornado.queues

from ..check import CheckFailed, requirement, task
from .support import async_function, not_done

__all__: list[str] = []


class _Gauge:
    """Counts the jobs running at once and the most there ever were, and how long workers sat idle.

    ``idle`` adds up, in worker-seconds, the time fewer than ``workers`` jobs ran while some had
    not started yet: about 0 with one shared queue, where a worker takes its next job in the same
    step of the loop as it finishes one.
    """

    def __init__(self, jobs: int = 0, workers: int = 0) -> None:
        self.jobs, self.workers = jobs, workers
        self.now = self.most = self.started = self.finished = 0
        self.idle, self.last_done = 0.0, 0.0
        self._since: float | None = None

    def _tick(self) -> float:
        now = time.perf_counter()
        if self._since is not None and self.started < self.jobs:
            self.idle += max(0, self.workers - self.now) * (now - self._since)
        self._since = now
        return now

    def __enter__(self) -> "_Gauge":
        self._tick()
        self.now += 1
        self.started += 1
        self.most = max(self.most, self.now)
        return self

    def __exit__(self, *exc_info) -> None:
        self.last_done = self._tick()
        self.now -= 1
        self.finished += 1


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


@task("worker-pool", budget=8, requirements={
    "waits-for-jobs": "run_pool returns once every job is done, not before and not long after",
    "in-order": "the results come back in the order of `jobs`, even when a later job finishes first",
    "workers-at-once": "`workers` jobs run at once, never more and never fewer while jobs wait",
    "worker-tasks": "the jobs run in exactly `workers` worker tasks, each taking job after job",
    "one-queue": "the workers take jobs from one queue, so a free worker takes the next waiting job at once",
    "no-worker-left": "no worker is left running once run_pool returns",
})
async def worker_pool(answer) -> str:
    run_pool = async_function(answer, "run_pool")
    for jobs, workers in ((list(range(20)), 4), ([5, 6, 7, 8, 9, 10], 2)):
        gauge, tasks, handled = _Gauge(len(jobs), workers), set(), []
        slow = jobs[0]  # the first job is slow, the others quick: finishing order is not job order

        async def handle(job: int) -> int:
            tasks.add(asyncio.current_task())  # which coroutine runs it: a worker, or a task per job
            handled.append(job)
            with gauge:
                await asyncio.sleep(0.15 if job == slow else 0.02)
            return job * job

        requirement("waits-for-jobs")
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
        returned = time.perf_counter()
        if gauge.finished < len(jobs):
            raise CheckFailed(f"run_pool returned when {gauge.finished} of its {len(jobs)} jobs were done. "
                              "Hint: await the queue's join(), which returns once every job put has been marked "
                              "done with task_done().")
        if (late := returned - gauge.last_done) > 0.2:
            raise CheckFailed(f"run_pool returned {late:.1f} s after its last job was done. Hint: await the "
                              "queue's join(), which returns as soon as every job is done, rather than sleeping.")
        requirement("in-order")
        if results != [job * job for job in jobs]:
            raise CheckFailed(f"run_pool returned {results!r:.80}, expected the results in job order: "
                              f"{[job * job for job in jobs[:4]]!r:.20}... (the first job is the slowest). "
                              "Hint: let each queue item carry the job's index, and store its result there.")
        requirement("workers-at-once")
        if gauge.most > workers:
            raise CheckFailed(f"{gauge.most} jobs ran at once, expected at most {workers} (workers={workers}). "
                              "Hint: start exactly `workers` worker coroutines that take jobs from one queue.")
        requirement("worker-tasks")
        if len(tasks) != workers:
            raise CheckFailed(f"with workers={workers}, handle() ran in {len(tasks)} different tasks, expected {workers}: "
                              "one per worker, each taking job after job. Hint: start `workers` worker tasks that "
                              "take jobs from one tornado.queues.Queue, not a task (or a Semaphore) per job.")
        requirement("workers-at-once")
        if gauge.most < workers:
            raise CheckFailed(f"at most {gauge.most} job(s) ran at once, expected {workers} at a time (workers={workers}). "
                              "Hint: start all the workers before awaiting join().")
        requirement("one-queue")
        if gauge.idle > 0.05:
            raise CheckFailed(f"with workers={workers}, workers sat idle for {gauge.idle:.2f} s in all while jobs were "
                              "still waiting: a worker whose jobs were done did not take the next waiting one. "
                              "Hint: let every worker take jobs from one queue, so a free worker takes the next job.")
        requirement("no-worker-left")
        left = await _others_left()
        if left:
            raise CheckFailed(f"{left} task(s) were still running after run_pool returned. "
                              "Hint: cancel the workers in a `finally:` once join() returns.")
    return ("20 jobs ran 4 at a time in 4 worker tasks (and 6 in 2), a free worker always took the next job, "
            "results came back in order, and no worker was left running")


@task("back-pressure", budget=8, requirements={
    "consumer-task": "consume() runs as a task, taking items out while the producer puts them in",
    "put-waits": "when the queue is full the producer waits for room rather than failing",
    "bounded": "the queue never holds more than `maxsize` items, so the producer is never more than maxsize + 2 ahead",
    "uses-maxsize": "the queue holds as many as `maxsize` items, the maxsize pipeline is given",
    "sentinel": "None goes in after the last item, so that consume() stops and pipeline returns",
    "waits-for-consumer": "pipeline returns all the results, in order, only once the consumer is done",
})
async def back_pressure(answer) -> str:
    pipeline = async_function(answer, "pipeline")
    for maxsize, count in ((3, 20), (1, 8)):  # two sizes: a queue of a fixed size passes only one
        await _one_pipeline(pipeline, maxsize, count)
    return ("20 items went through Queue(maxsize=3), and 8 through Queue(maxsize=1): the producer waited whenever "
            "the queue was full, never more than maxsize + 2 items ahead of the handled ones, and the results came in order")


async def _one_pipeline(pipeline, maxsize: int, count: int) -> None:
    """Run ``pipeline`` on ``count`` items ready at once, with ``maxsize``; fail with a hint if it is wrong."""
    # Items the producer has taken from source whose handling has not finished yet: with the queue
    # full, that is maxsize in the queue + 1 being handled + 1 in the producer's hand, waiting to go in.
    seen = {"pulled": 0, "finished": 0, "most_ahead": 0}

    async def source():  # all ready at once: only the queue can hold the producer back
        for item in range(count):
            seen["pulled"] += 1
            seen["most_ahead"] = max(seen["most_ahead"], seen["pulled"] - seen["finished"])
            yield item

    async def handle(item: int) -> int:
        await asyncio.sleep(0.02)
        seen["finished"] += 1
        return item * 10

    requirement("consumer-task")
    running = asyncio.ensure_future(pipeline(source(), handle, maxsize=maxsize))
    if not (await asyncio.wait([running], timeout=3))[0]:
        running.cancel()
        await asyncio.wait([running])
        if seen["finished"] == 0:
            raise CheckFailed(f"pipeline took {seen['pulled']} items and then waited for ever: the queue was full and "
                              "nobody was taking items out. Hint: start consume() as a task before the first put.")
        requirement("sentinel")
        raise CheckFailed(f"pipeline did not return within 3 s ({seen['finished']} of {count} items handled). "
                          "Hint: put None after the last item, so that consume() stops, then await it.")
    requirement("put-waits")
    try:
        results = running.result()
    except tornado.queues.QueueFull:
        raise CheckFailed("put_nowait() raised QueueFull as soon as the queue was full. "
                          "Hint: use the put that waits for room instead.") from None
    except TimeoutError:
        raise CheckFailed("pipeline raised TimeoutError. Hint: a number as timeout= is a deadline on the "
                          "IOLoop.time() clock, long past; give a datetime.timedelta, or no timeout.") from None
    requirement("waits-for-consumer")
    if isinstance(results, list) and seen["finished"] < count:
        raise CheckFailed(f"pipeline returned when {seen['finished']} of the {count} items had been handled, with "
                          f"{len(results)} result(s). Hint: await the consumer task before returning.")
    if results != [item * 10 for item in range(count)]:
        raise CheckFailed(f"pipeline returned {results!r:.80}, expected the {count} results in order: [0, 10, 20, ...]. "
                          "Hint: return the list that consume() fills, after awaiting the consumer task.")
    limit, ahead = maxsize + 2, seen["most_ahead"]
    requirement("bounded")
    if ahead > limit:
        raise CheckFailed(f"the producer got {ahead} items ahead of the handled ones, so the queue held more than "
                          f"maxsize={maxsize}: with a full Queue(maxsize={maxsize}) it is {limit} ahead ({maxsize} in the "
                          "queue, 1 being handled, 1 waiting to go in). Hint: give the queue its maxsize, and use the "
                          "put that waits while the queue is full.")
    requirement("uses-maxsize")
    if ahead < limit:
        raise CheckFailed(f"the producer got at most {ahead} item(s) ahead of the handled ones; with a full "
                          f"Queue(maxsize={maxsize}) it is {limit} ({maxsize} in the queue, 1 being handled, 1 waiting "
                          f"to go in), so the queue never held {maxsize} items. Hint: give the queue exactly the maxsize "
                          "pipeline is given, and let the consumer work while the producer puts.")
    requirement("waits-for-consumer")
    left = await _others_left()
    if left:
        raise CheckFailed(f"{left} task(s) were still running after pipeline returned. "
                          "Hint: put None at the end, and await the consumer task before returning.")


class _CountingStore:
    """The check's SlowStore: counts how often everything is loaded."""

    def __init__(self) -> None:
        self.loads = 0

    async def load_all(self) -> dict[str, str]:
        self.loads += 1
        await asyncio.sleep(0.1)
        return {"ada": "Ada Lovelace", "grace": "Grace Hopper"}


@task("warm-up", budget=8, requirements={
    "waits-for-load": "a get() sent before the load waits until the load has finished, without reading the store itself",
    "answers-after-load": "the waiting get()s answer as soon as load() has finished",
    "returns-value": "get(key) returns self.data[key]",
    "answers-at-once": "a get() sent after the load answers at once, without waiting",
    "loads-once": "the store is read once, by load()",
})
async def warm_up(answer) -> str:
    for method in ("load(self)", "get(self, key)"):
        async_function(answer, "Cache", method=method)
    store = _CountingStore()
    cache = answer(store)
    requirement("waits-for-load")
    early = [asyncio.create_task(cache.get("ada")) for _ in range(5)]
    await asyncio.sleep(0.05)

    def cancel_all(*also: asyncio.Future) -> None:
        for running in (*early, *also):
            running.cancel()

    def answered_early(when: str, hint: str) -> None:
        answered = [get for get in early if get.done()]
        if answered:
            errors = [get.exception() for get in answered if get.exception() is not None]
            not_done(errors)
            what = f"raised {type(errors[0]).__name__}: {errors[0]}" if errors else f"returned {answered[0].result()!r}"
            raise CheckFailed(f"get('ada') {what} {when}; it should wait until the load has finished. Hint: {hint}")

    if store.loads:
        cancel_all()
        requirement("loads-once")
        raise CheckFailed(f"the store was loaded {store.loads} time(s) before load() was even called, by get(). "
                          "Hint: get() only waits for the Event; it never reads the store itself.")
    try:
        answered_early("before load() was even called",
                       "make get() await the wait() of a tornado.locks.Event that load() sets.")
    finally:
        if any(get.done() for get in early):
            cancel_all()
    loading = asyncio.ensure_future(cache.load())
    await asyncio.sleep(0.05)  # the store takes 0.1 s: the load is half done
    try:
        answered_early("while load() was still reading the store",
                       "set() the Event at the end of load(), once self.data is filled.")
    finally:
        if any(get.done() for get in early):
            cancel_all(loading)
    try:
        await asyncio.wait_for(loading, 2)
    except TimeoutError:
        cancel_all()
        raise CheckFailed("load() was still running 2 s after it was called, for a store that takes 0.1 s. "
                          "Hint: load() only awaits the store's load_all() and sets the Event.") from None
    requirement("answers-after-load")
    try:
        answers = await asyncio.wait_for(asyncio.gather(*early), 0.5)
    except TimeoutError:
        raise CheckFailed("the 5 get('ada') calls were still waiting 0.5 s after load() had finished. "
                          "Hint: set() the Event at the end of load().") from None
    requirement("returns-value")
    if answers != ["Ada Lovelace"] * 5:
        raise CheckFailed(f"the 5 get('ada') calls returned {answers!r:.100}, expected 'Ada Lovelace' each. "
                          "Hint: return self.data[key] once the Event is set.")
    requirement("answers-at-once")
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
    requirement("returns-value")
    if late.result() != "Grace Hopper":
        raise CheckFailed(f"after the load, get('grace') returned {late.result()!r:.60}, expected 'Grace Hopper'. "
                          "Hint: return self.data[key].")
    requirement("loads-once")
    if store.loads != 1:
        raise CheckFailed(f"the store was loaded {store.loads} times, expected once, by load(). "
                          "Hint: get() only waits for the Event; it never reads the store itself.")
    return ("5 get()s waited for load() to finish, then all answered, a get() after the load answered at once, "
            "and the store was read once")
