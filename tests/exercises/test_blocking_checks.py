"""Lesson 04's checks catch more than their one planted wrong answer each: every requirement a prompt states.

test_checks.py proves each task three ways with wrong_answers/<task>.py; these are the other ways
an answer to offload-cpu or measure-the-slowdown can be wrong, each with the hint it must get.
"""

from __future__ import annotations

import pytest

import labsupport
from labsupport import CheckFailed

from ..conftest import run
from .test_checks import answer

PRIME_HANDLER = '''
class PrimeHandler(tornado.web.RequestHandler):
    def initialize(self, pool):
        self.pool = pool

    async def get(self, number):
        n = int(number)
        self.write({{"n": n, "prime": {call}}})
'''

SLOWDOWN = '''
async def slowdown(url):
    blocking = await labsupport.load(url + "blocking", requests={requests}, concurrency=5, progress=False)
    non_blocking = await labsupport.load(url + "async", requests={requests}, concurrency=5, progress=False)
    return {ratio}
'''


@pytest.mark.parametrize("call, hint", [
    ("is_prime(n)", "ran on the event loop"),                                    # async def, but no pool
    ("await asyncio.to_thread(is_prime, n)", "self.pool ran 0 of the 2"),        # off the loop, not on the pool
    ("await asyncio.get_running_loop().run_in_executor(None, is_prime, n)", "self.pool ran 0 of the 2"),
], ids=["inline", "to_thread", "default-executor"])
def test_offload_cpu_says_what_is_missing(call, hint):
    with pytest.raises(CheckFailed, match=hint):
        run(labsupport.check("offload-cpu", answer("offload-cpu", PRIME_HANDLER.format(call=call))))


@pytest.mark.parametrize("source, hint", [
    (SLOWDOWN.format(requests=5, ratio="non_blocking.wall / blocking.wall"), "Hint: divide the blocking"),
    ("async def slowdown(url):\n    return 5\n", "sent 0 requests"),  # the theory's number, not a measurement
    (SLOWDOWN.format(requests=10, ratio="blocking.wall / non_blocking.wall"), "expected 5 to each"),
    (SLOWDOWN.format(requests=5, ratio="'about 5'"), "return a number"),
], ids=["upside-down", "guessed", "ten-each", "a-string"])
def test_measure_the_slowdown_says_what_is_wrong(source, hint):
    with pytest.raises(CheckFailed, match=hint):
        run(labsupport.check("measure-the-slowdown", answer("measure-the-slowdown", source)))
