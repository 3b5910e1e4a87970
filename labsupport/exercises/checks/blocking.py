"""Checks for the exercises of lesson 04 (keep the event loop free: sleep, upstream calls, CPU work, measure).

Example, in ``exercises/04-measure-blocking-and-non-blocking-code.ipynb``::

    await labsupport.check("offload-cpu", HashHandler)
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import numbers
import pickle
import time

import tornado.web

from ..check import CheckFailed, requirement, task
from ...measure.loadgen import load
from .support import LoopWatch, async_function, learner_class, not_done, served, served_in_thread

__all__: list[str] = []


class _SlowUpstreamHandler(tornado.web.RequestHandler):
    """The upstream: answers after 0.3 s, and counts the requests it got in ``hits``."""

    def initialize(self, hits: list) -> None:
        self.hits = hits

    async def get(self) -> None:
        self.hits.append(1)
        await asyncio.sleep(0.3)
        self.write("upstream says hi")


async def _together(site, paths: list[str]):
    """Send GETs to ``paths`` at once, watching the loop; return (watch, [(response, seconds)], seconds)."""
    start = time.perf_counter()

    async def timed(path):
        response = await site.get(path)
        return response, time.perf_counter() - start

    async with LoopWatch() as watch:
        answers = await asyncio.gather(*(timed(path) for path in paths))
        took = time.perf_counter() - start
    return watch, answers, took


def _no_errors(site, what: str) -> None:
    """Fail if the learner's handler raised although every answer looked right."""
    not_done(site.errors)
    if site.errors:
        error = site.errors[-1]
        raise CheckFailed(f"{what} looked right, but your handler raised {type(error).__name__}: {error}. "
                          "Hint: an exception in a handler is a bug even when the client sees the right answer.")


WAITS = (0.5, 0.1, 0.5, 0.1, 0.5)  # seconds each request asks for: a fixed wait cannot fit both


@task("non-blocking-wait", budget=8, requirements={
    "loop-free": "the handler never holds the event loop while it waits",
    "done": "every request is answered 'done'",
    "waits": "each request waits its `seconds` before it answers, not less",
    "together": "requests that arrive together finish together, in about 0.5 s, not one after another",
    "own-seconds": "each request waits the `seconds` it asks for, so a 0.1 s request answers well before a 0.5 s one",
})
async def non_blocking_wait(answer) -> str:
    handler = learner_class(answer, "WaitHandler")
    requirement("loop-free")
    async with served([(r"/wait", handler)]) as site:
        watch, answers, took = await _together(site, [f"/wait?seconds={seconds}" for seconds in WAITS])
        if watch.blocked:  # said here, before served() reports it without saying where
            raise CheckFailed(f"your handler blocked the event loop for {watch.longest:.1f} s while it waited, so "
                              "the other requests waited too. Hint: time.sleep holds the loop; in an `async def "
                              "get`, await asyncio.sleep(seconds) lets it run.")
        requirement("done")
        for response, _ in answers:
            site.expect(response, 200, text="done", hint="self.write('done') once the wait is over: a handler's "
                                                          "return value is thrown away.")
        _no_errors(site, "every answer")
    requirement("waits")
    for (response, seconds_taken), seconds in zip(answers, WAITS):
        if seconds_taken < 0.8 * seconds:
            raise CheckFailed(f"GET /wait?seconds={seconds} answered after {seconds_taken:.2f} s, before its {seconds} s "
                              "were up. Hint: await asyncio.sleep(...): without await, asyncio.sleep only makes a "
                              "coroutine, and nothing waits.")
    requirement("together")
    if took > 0.9:
        raise CheckFailed(f"5 requests at once, none asking to wait more than 0.5 s, took {took:.1f} s: they were "
                          "answered one after another. Hint: await asyncio.sleep(seconds) in the handler itself, so "
                          "every request waits at the same time (a pool of one thread, or a lock, makes them take turns).")
    requirement("own-seconds")
    for (response, seconds_taken), seconds in zip(answers, WAITS):
        if seconds_taken > seconds + 0.2:
            raise CheckFailed(f"GET /wait?seconds={seconds} answered after {seconds_taken:.2f} s, though it asked "
                              f"for {seconds} s. Hint: wait float(self.get_query_argument('seconds')) seconds, "
                              "the number each request asks for, not a fixed time.")
    return ("5 requests at once (3 of 0.5 s, 2 of 0.1 s) answered 'done', each after its own wait, all together "
            "in about 0.5 s, without blocking the loop")


@task("unblock-the-upstream", budget=8, requirements={
    "loop-free": "the handler never holds the event loop while the upstream answers",
    "body": "each request is answered with the body of its own fetch of `upstream`",
    "together": "five requests through a 0.3 s upstream are answered together, in well under 0.9 s, not one after another",
})
async def unblock_the_upstream(answer) -> str:
    handler = learner_class(answer, "ProxyHandler")
    hits: list = []
    requirement("loop-free")
    async with served_in_thread([(r"/upstream", _SlowUpstreamHandler, {"hits": hits})]) as upstream:
        async with served([(r"/", handler, {"upstream": upstream + "upstream"})]) as site:
            watch, answers, took = await _together(site, ["/"] * 5)
            if watch.blocked:
                raise CheckFailed(f"your handler blocked the event loop for {watch.longest:.1f} s while the upstream "
                                  "answered, so the other requests waited too. Hint: await an async client "
                                  "(AsyncHTTPClient().fetch, httpx.AsyncClient) instead of a blocking call such as "
                                  "urllib.request.urlopen.")
            requirement("body")
            for response, _ in answers:
                if response.status_code == 200 and response.text == repr(b"upstream says hi"):
                    raise CheckFailed(f"GET / answered {response.text!r}, the repr of the upstream's body: str() of "
                                      "bytes gives b'...'. Hint: write response.body itself (self.write takes bytes), "
                                      "or response.body.decode().")
                site.expect(response, 200, text="upstream says hi",
                            hint="fetch self.upstream with an async client and write its body.")
            _no_errors(site, "every answer")
    if len(hits) < 5:
        raise CheckFailed(f"the upstream got {len(hits)} requests for 5 answers. Hint: fetch self.upstream for "
                          "every request, and write what it answers.")
    requirement("together")
    if took > 0.9:
        raise CheckFailed(f"5 requests took {took:.1f} s for a 0.3 s upstream: they waited in line. Hint: await "
                          "the async client's fetch in the handler itself, so every request waits at the same time "
                          "(a pool of one thread, or a lock, makes them take turns).")
    return "5 requests through a 0.3 s upstream answered together, in about 0.3 s, without blocking the loop"


# The cost the exercise's BlockingHashHandler uses: about 0.6 s of one core here. Inline, it stalls the
# loop far above STALL_LIMIT; scrypt releases the GIL, so on a pool it does not stall it at all.
SCRYPT_COST = {"n": 2**14, "r": 8, "p": 16}
CHECK_SALT = b"tornado-lab-salt"
# hashlib.scrypt(password, salt=CHECK_SALT, **SCRYPT_COST).hex(), worked out once (the check has no
# second to spare on a loaded machine); tests/exercises/test_blocking_checks.py works them out again.
CHECK_HASHES = {
    b"hunter2": "7a61b2b83a1b7edbad53a5b6fbfef7ccda1733660dbb9583833a455310bfb5c8"
                "71bf7cac48857c9a21353d60b348fa39b527ce2ec65035ee5891dc590027efe5",
    b"correct horse battery staple": "8cfa099588c4ce06a8e63ddc615aab0c7eb292277d2235fe1432dea724c52887"
                                     "6950a5798c6e04cc73c2cc35ccfce494d43a7ba23a9916a38c7bfcf10322619b",
}


class _ProcessLikePool(concurrent.futures.ThreadPoolExecutor):
    """A thread pool that pickles each job first, as ProcessPoolExecutor must to send it to a worker.

    It records what it ran (``jobs``) and what it could not have sent (``refused``), so the check
    can say which requirement an answer missed, without starting processes of its own.
    """

    def __init__(self) -> None:
        super().__init__(2)
        self.jobs = 0
        self.refused: list[str] = []

    def submit(self, fn, /, *args, **kwargs):
        try:
            pickle.dumps((fn, args, kwargs))
        except Exception as exc:  # PicklingError, or AttributeError for a local function
            self.refused.append(f"{getattr(fn, '__qualname__', type(fn).__name__)} ({type(exc).__name__})")
            raise
        self.jobs += 1
        return super().submit(fn, *args, **kwargs)


def _explain_type_error(errors: list[BaseException]) -> None:
    """Fail with the fix for the two TypeErrors run_in_executor's signature leads to, if one was raised."""
    for error in errors:
        if isinstance(error, TypeError) and "unexpected keyword argument" in str(error):
            raise CheckFailed(f"your handler raised TypeError: {error}. run_in_executor passes only positional "
                              "arguments on to the function. Hint: bind scrypt's keyword arguments first with "
                              "functools.partial, and hand the pool what partial returns.")
        if isinstance(error, TypeError) and "object is not callable" in str(error):
            raise CheckFailed(f"your handler raised TypeError: {error}: it called scrypt itself, on the event loop, "
                              "and handed the pool the result. Hint: hand run_in_executor a function to call, "
                              "not the value it returns.")


@task("offload-cpu", budget=25, requirements={
    "loop-free": "scrypt runs off the event loop, which never stalls for more than 0.25 s",
    "picklable": "what the handler hands the pool can be pickled, as a process pool must to send it to a worker",
    "keywords": "scrypt gets its keyword arguments, bound with functools.partial, since run_in_executor passes "
                "on only positional ones",
    "hashes-body": "each request gets the hash of its own body, the password it posts",
    "same-hash": "the hash is the one BlockingHashHandler answers: scrypt with salt=self.salt, n=2**14, r=8, p=16",
    "on-pool": "scrypt runs on the handler's `pool`, not on another executor",
})
async def offload_cpu(answer) -> str:
    handler = learner_class(answer, "HashHandler")
    # A thread pool is enough to keep the loop responsive (scrypt releases the GIL),
    # and one that pickles like a process pool checks the answer would work with either.
    with _ProcessLikePool() as pool:
        async with served([(r"/hash", handler, {"pool": pool, "salt": CHECK_SALT})]) as site:
            requirement("loop-free")
            async with LoopWatch() as watch:
                # 15 s, not the client's 3: on a loaded 2-core machine two hashes can take over 3 s
                answers = await asyncio.gather(*(site.post("/hash", content=password, timeout=15)
                                                 for password in CHECK_HASHES))
            requirement("picklable")
            if pool.refused:
                raise CheckFailed(f"your handler handed the pool {pool.refused[0]}, which a process pool cannot "
                                  "pickle to send to a worker. Hint: hand the pool hashlib.scrypt itself, with "
                                  "its arguments bound by functools.partial, not a lambda or a function defined "
                                  "inside post.")
            requirement("keywords")
            _explain_type_error(site.errors)
            requirement("loop-free")
            if watch.blocked:  # raised here, before served() reports a generic stall
                raise CheckFailed(f"the event loop stalled for {watch.longest * 1000:.0f} ms while scrypt ran: it "
                                  "ran on the event loop. Hint: hand it to self.pool with the running loop's "
                                  "run_in_executor, and await what it returns.")
            requirement("hashes-body")
            hashes = [response.json().get("hash") if _is_json_object(response) else None for response in answers]
            others = {digest: password for password, digest in CHECK_HASHES.items()}
            for (password, digest), got in zip(CHECK_HASHES.items(), hashes):
                if got != digest and got in others:
                    raise CheckFailed(f"POST /hash with the password {password.decode()!r} answered the hash of "
                                      f"{others[got].decode()!r}. Hint: digest is scrypt of the request body, "
                                      "self.request.body, the password each request posts.")
            requirement("same-hash")
            for response, digest in zip(answers, CHECK_HASHES.values()):
                site.expect(response, 200, data={"hash": digest},
                            hint="answer {'hash': digest.hex()}, where digest is scrypt of the request body with "
                                 "salt=self.salt, n=2**14, r=8, p=16, as BlockingHashHandler does.")
            _no_errors(site, "both hashes")
            requirement("on-pool")
            if pool.jobs < 2:
                raise CheckFailed(f"self.pool ran {pool.jobs} of the 2 hashes: the others ran elsewhere "
                                  "(asyncio.to_thread or the default executor?). Hint: the pool is the handler's "
                                  "`pool`; pass it to run_in_executor.")
    return ("scrypt ran on the pool, with its keyword arguments, in a form a process pool could send too; "
            "the event loop never stalled")


def _is_json_object(response) -> bool:
    try:
        return isinstance(response.json(), dict)
    except ValueError:
        return False


MEASURE_SECONDS = 0.2  # each request's wait: 5 in line take 1 s, 5 together 0.2 s, so theory says 5x


class _CountedSleepHandler(tornado.web.RequestHandler):
    """GET /blocking or /async: wait MEASURE_SECONDS (with time.sleep or asyncio.sleep); count requests."""

    def initialize(self, tally: dict) -> None:
        self.tally = tally

    async def get(self, kind: str) -> None:
        count, now, peak = self.tally["count"], self.tally["now"], self.tally["peak"]
        count[kind] += 1
        now[kind] += 1
        peak[kind] = max(peak[kind], now[kind])
        try:
            if kind == "blocking":
                time.sleep(MEASURE_SECONDS)  # holds this server's loop, like the lesson's /blocking
            else:
                await asyncio.sleep(MEASURE_SECONDS)
        finally:
            now[kind] -= 1
        self.write("done")


@task("measure-the-slowdown", budget=15, requirements={
    "a-number": "slowdown(url) returns a number",
    "five-each": "slowdown(url) sends 5 requests to each handler, with labsupport.load",
    "at-once": "the 5 requests to each handler go all at once",
    "measured": "the number is the measured ratio: the blocking run's wall time over the non-blocking run's",
})
async def measure_the_slowdown(answer) -> str:
    slowdown = async_function(answer, "slowdown")
    tally = {key: collections.Counter() for key in ("count", "now", "peak")}
    async with served_in_thread([(r"/(blocking|async)", _CountedSleepHandler, {"tally": tally})]) as url:
        requirement("five-each")
        ratio = await slowdown(url)
        count, peak = dict(tally["count"]), dict(tally["peak"])
        blocking = await load(url + "blocking", requests=5, concurrency=5, progress=False)
        non_blocking = await load(url + "async", requests=5, concurrency=5, progress=False)
    requirement("a-number")
    if isinstance(ratio, bool) or not isinstance(ratio, numbers.Real):
        raise CheckFailed(f"slowdown(url) returned {ratio!r}: return a number, how many times as long "
                          "the blocking run took as the non-blocking one.")
    requirement("five-each")
    sent = (count.get("blocking", 0), count.get("async", 0))
    if sent != (5, 5):
        raise CheckFailed(f"slowdown(url) sent {sent[0]} requests to /blocking and {sent[1]} to /async; "
                          "expected 5 to each. Hint: measure each handler with one labsupport.load run "
                          "of 5 requests.")
    requirement("at-once")
    if peak.get("async", 0) < 4:
        raise CheckFailed(f"at most {peak.get('async', 0)} of the 5 requests to /async were in flight at once, "
                          "so even the non-blocking handler answered them in line. Hint: send all 5 at once "
                          "(labsupport.load's concurrency).")
    requirement("measured")
    measured = blocking.wall / non_blocking.wall
    if not measured / 2 <= ratio <= measured * 2:
        raise CheckFailed(f"slowdown(url) returned {ratio:.2f}, but the check measured the blocking run taking "
                          f"{measured:.1f} times as long as the non-blocking one. Hint: divide the blocking "
                          "run's wall time by the non-blocking run's (LoadResult.wall).")
    return ("5 requests at once to each handler; the ratio agrees with the check's own measurement "
            "(theory: 5 in line take 5 times as long as 5 together)")
