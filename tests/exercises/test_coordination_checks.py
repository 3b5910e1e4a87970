"""Lesson 06's checks catch more than their one planted wrong answer each, and pass every right one.

test_checks.py proves each task with wrong_answers/<task>/, one wrong answer per requirement the
check lists; these are the other ways an answer to worker-pool, back-pressure or warm-up can be
right (in whatever order the coroutines start) or wrong, each with the hint it must get.
"""

from __future__ import annotations

import pytest

import labsupport
from labsupport import CheckFailed

from labsupport.exercises import make_learner_copy

from ..conftest import run
from .test_checks import EXERCISES, answer

FINALLY_POOL = '''
async def run_pool(jobs, handle, *, workers):
    queue, results = tornado.queues.Queue(), [None] * len(jobs)
    for pair in enumerate(jobs):
        queue.put_nowait(pair)
    tasks = [asyncio.create_task(worker(queue, handle, results)) for _ in range(workers)]
    try:
        await queue.join()
    finally:
        for task in tasks:
            task.cancel()
    return results
'''

POOL = '''
async def run_pool(jobs, handle, *, workers):
    queue, results = tornado.queues.Queue(), [None] * len(jobs)
    for pair in enumerate(jobs):
        queue.put_nowait(pair)
    tasks = [asyncio.create_task({worker}) for _ in range({workers})]
    await queue.join({timeout})
    {cancel}
    return {results}
'''


def cell(task: str, cell_id: str, *, stub: bool = False) -> str:
    """The source of a cell of the task's notebook: the solution's, or with ``stub`` the learner's."""
    notebook = EXERCISES[task][0]
    return next(c.source for c in (make_learner_copy(notebook) if stub else notebook).cells if c.id == cell_id)

PIPELINE = '''
async def pipeline(source, handle, *, maxsize):
    queue, results = {queue}, []
    consumer = asyncio.create_task(consume(queue, handle, results))
    {before}
    async for item in source:
        {put}
    {end}
    await consumer
    return results
'''

GATHERED = '''
async def pipeline(source, handle, *, maxsize):
    queue, results = tornado.queues.Queue(maxsize=maxsize), []

    async def produce():
        async for item in source:
            await queue.put(item)
        await queue.put(None)

    await asyncio.gather({first}, {second})
    return results
'''

CACHE = '''
class Cache:
    def __init__(self, store):
        self.store, self.data, self.loaded = store, {{}}, {event}

    async def load(self):
        {load}

    async def get(self, key):
        {get}
        return self.data[key]
'''


def pool(*, worker="worker(queue, handle, results)", workers="workers", timeout="", results="results",
         cancel="for task in tasks: task.cancel()"):
    return POOL.format(worker=worker, workers=workers, timeout=timeout, results=results, cancel=cancel)


def pipeline(*, queue="tornado.queues.Queue(maxsize=maxsize)", before="pass", put="await queue.put(item)",
             end="await queue.put(None)"):
    return PIPELINE.format(queue=queue, before=before, put=put, end=end)


def cache(*, event="tornado.locks.Event()", load="self.data = await self.store.load_all(); self.loaded.set()",
          get="await self.loaded.wait()"):
    return CACHE.format(event=event, load=load, get=get)


def check(task, source, *, extra=None):
    """Check ``source`` as the task's answer cell, after running ``extra`` (an earlier cell, redone)."""
    found = answer(task, source)
    if extra:
        names = found.__globals__ if hasattr(found, "__globals__") else found.__init__.__globals__
        exec(extra, names)
        found = names[found.__name__]
    run(labsupport.check(task, found))


@pytest.mark.parametrize("source", [
    FINALLY_POOL,                                                   # the lesson's crawl: try/finally
    pool(),                                                         # cancel after join, no finally
    pool(timeout="timeout=datetime.timedelta(seconds=5)").replace("async def", "import datetime\nasync def", 1),
], ids=["try-finally", "cancel-after-join", "join-timedelta"])
def test_worker_pool_passes_other_right_answers(source, capsys):
    check("worker-pool", source)
    assert capsys.readouterr().out.startswith("✔ worker-pool passed")


@pytest.mark.parametrize("source, extra, hint", [
    (pool(workers="4"), None, "4 jobs ran at once, expected at most 2"),         # `workers` ignored
    (pool(results="sorted(results, reverse=True)"), None, "expected the results in job order"),
    (pool(timeout="timeout=5"), None, r"is a deadline on the IOLoop.time\(\) clock"),  # the lesson's timeout trap
    (pool(workers="workers - 1"), None, r"handle\(\) ran in 3 different tasks, expected 4"),
    (FINALLY_POOL, "async def worker(queue, handle, results):\n    await handle(queue.undefined)\n",
     "raised AttributeError"),
], ids=["four-always", "reordered", "join-timeout-5", "one-worker-short", "worker-raises"])
def test_worker_pool_says_what_is_wrong(source, extra, hint):
    with pytest.raises(CheckFailed, match=hint):
        check("worker-pool", source, extra=extra)


@pytest.mark.parametrize("source", [None, FINALLY_POOL], ids=["task-group", "try-finally"])
def test_a_stub_worker_is_not_done_yet_rather_than_a_hang(source):
    with pytest.raises(CheckFailed, match="not done yet"):
        check("worker-pool", source, extra=cell("worker-pool", "c03a", stub=True))


@pytest.mark.parametrize("source", [
    pipeline(),
    pipeline(before="await asyncio.sleep(0)"),          # the consumer waits at get() before the first put
    GATHERED.format(first="consume(queue, handle, results)", second="produce()"),
    GATHERED.format(first="produce()", second="consume(queue, handle, results)"),
    pipeline(queue="asyncio.Queue(maxsize=maxsize)"),
], ids=["consumer-task-first", "consumer-waiting-first", "gather-consumer-first", "gather-producer-first",
        "asyncio-queue"])
def test_back_pressure_passes_in_any_order(source, capsys):
    check("back-pressure", source)
    assert capsys.readouterr().out.startswith("✔ back-pressure passed")


@pytest.mark.parametrize("source, hint", [
    (pipeline(queue="tornado.queues.Queue(maxsize=2)"), "at most 4 item.s. ahead"),
    (pipeline(queue="tornado.queues.Queue(maxsize=1)"), "at most 3 item.s. ahead"),
    (pipeline(queue="tornado.queues.Queue(maxsize=maxsize + 1)"), "6 items ahead .* more than maxsize=3"),
    (pipeline(queue="tornado.queues.Queue(maxsize=3)"), "5 items ahead .* more than maxsize=1"),  # the check's size, fixed
    (pipeline(put="await queue.put(item, timeout=5)"), "is a deadline on the IOLoop"),  # the lesson's timeout trap
], ids=["maxsize-2", "maxsize-1", "maxsize-plus-1", "maxsize-3-always", "put-timeout-5"])
def test_back_pressure_says_what_is_wrong(source, hint):
    with pytest.raises(CheckFailed, match=hint):
        check("back-pressure", source)


@pytest.mark.parametrize("source", [
    cache(),
    cache(get="if not self.loaded.is_set(): await self.loaded.wait()"),
    cache(event="asyncio.Event()"),
    cache(get="await asyncio.wait_for(self.loaded.wait(), 5)"),
], ids=["event", "is-set-first", "asyncio-event", "wait-for"])
def test_warm_up_passes_other_right_answers(source, capsys):
    check("warm-up", source)
    assert capsys.readouterr().out.startswith("✔ warm-up passed")


@pytest.mark.parametrize("source, hint", [
    (cache(get="await self.loaded.wait(); await asyncio.sleep(0.5)"), "did not answer at once"),
    (cache(get="pass"), "before load\\(\\) was even called"),
], ids=["sleeps-after-wait", "no-wait"])
def test_warm_up_says_what_is_wrong(source, hint):
    with pytest.raises(CheckFailed, match=hint):
        check("warm-up", source)


@pytest.mark.parametrize("stub", ["c12", "c12a"])
def test_either_half_of_the_cache_left_a_stub_is_not_done_yet(stub):
    first, second = (cell("warm-up", id, stub=id == stub) for id in ("c12", "c12a"))
    with pytest.raises(CheckFailed, match="not done yet"):
        check("warm-up", first + "\n" + second)
