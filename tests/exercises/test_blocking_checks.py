"""Lesson 04's checks catch more than their one planted wrong answer each: every requirement a prompt states.

test_checks.py proves each task three ways with wrong_answers/<task>.py; these are the other ways
an answer to offload-cpu or measure-the-slowdown can be wrong, each with the hint it must get.
"""

from __future__ import annotations

import hashlib

import pytest

import labsupport
from labsupport import CheckFailed
from labsupport.exercises.checks.blocking import CHECK_HASHES, CHECK_SALT, SCRYPT_COST

from ..conftest import run
from .test_checks import answer

HASH_HANDLER = '''
class HashHandler(tornado.web.RequestHandler):
    def initialize(self, pool, salt):
        self.pool = pool
        self.salt = salt

    async def post(self):
        digest = {call}
        self.write({{"hash": digest.hex()}})
'''
COST = "salt=self.salt, n=2**14, r=8, p=16"
WORK = f"functools.partial(hashlib.scrypt, self.request.body, {COST})"


SLOWDOWN = '''
async def slowdown(url):
    blocking = await labsupport.load(url + "blocking", requests={requests}, concurrency=5, progress=False)
    non_blocking = await labsupport.load(url + "async", requests={requests}, concurrency=5, progress=False)
    return {ratio}
'''


def test_the_check_knows_the_right_hashes():
    for password, digest in CHECK_HASHES.items():
        assert hashlib.scrypt(password, salt=CHECK_SALT, **SCRYPT_COST).hex() == digest


@pytest.mark.parametrize("call, hint", [
    (f"hashlib.scrypt(self.request.body, {COST})", "ran on the event loop"),             # async def, but no pool
    (f"await asyncio.to_thread({WORK})", "self.pool ran 0 of the 2"),                   # off the loop, not on the pool
    (f"await asyncio.get_running_loop().run_in_executor(None, {WORK})", "self.pool ran 0 of the 2"),
    (f"await asyncio.get_running_loop().run_in_executor(self.pool, hashlib.scrypt, self.request.body, {COST})",
     "bind scrypt's keyword arguments first with functools.partial"),                 # run_in_executor(fn, **kwargs)
    (f"await asyncio.get_running_loop().run_in_executor(self.pool, {WORK}())",
     "not the value it returns"),                                                     # called first, a bytes handed over
    (f"await asyncio.get_running_loop().run_in_executor(self.pool, {WORK.replace('p=16', 'p=1')})",
     "salt=self.salt, n=2\\*\\*14, r=8, p=16"),                                      # another cost: another hash
    ("await asyncio.get_running_loop().run_in_executor(self.pool, functools.partial(hashlib.scrypt, b'hunter2', "
     f"{COST}))", "digest is scrypt of the request body"),                              # ignores the body
], ids=["inline", "to_thread", "default-executor", "keywords", "called-first", "other-cost", "ignores-body"])
def test_offload_cpu_says_what_is_missing(call, hint):
    with pytest.raises(CheckFailed, match=hint):
        run(labsupport.check("offload-cpu", answer("offload-cpu", HASH_HANDLER.format(call=call))))


@pytest.mark.parametrize("source, hint", [
    (SLOWDOWN.format(requests=5, ratio="non_blocking.wall / blocking.wall"), "Hint: divide the blocking"),
    ("async def slowdown(url):\n    return 5\n", "sent 0 requests"),  # the theory's number, not a measurement
    (SLOWDOWN.format(requests=10, ratio="blocking.wall / non_blocking.wall"), "expected 5 to each"),
    (SLOWDOWN.format(requests=5, ratio="'about 5'"), "return a number"),
], ids=["upside-down", "guessed", "ten-each", "a-string"])
def test_measure_the_slowdown_says_what_is_wrong(source, hint):
    with pytest.raises(CheckFailed, match=hint):
        run(labsupport.check("measure-the-slowdown", answer("measure-the-slowdown", source)))
