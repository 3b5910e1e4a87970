"""Lesson 04's checks catch more than one wrong answer per requirement, and know the right hashes.

test_checks.py proves each task with wrong_answers/<task>/, one wrong answer per requirement the
check lists; these are the other ways an answer to offload-cpu or measure-the-slowdown can be
wrong, each with the hint it must get.
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


def test_the_check_knows_the_right_hashes():
    for password, digest in CHECK_HASHES.items():
        assert hashlib.scrypt(password, salt=CHECK_SALT, **SCRYPT_COST).hex() == digest


@pytest.mark.parametrize("call, hint", [
    (f"await asyncio.get_running_loop().run_in_executor(None, {WORK})", "self.pool ran 0 of the 2"),
    (f"await asyncio.get_running_loop().run_in_executor(self.pool, {WORK}())",
     "not the value it returns"),                                                     # called first, a bytes handed over
], ids=["default-executor", "called-first"])
def test_offload_cpu_says_what_is_missing(call, hint):
    with pytest.raises(CheckFailed, match=hint):
        run(labsupport.check("offload-cpu", answer("offload-cpu", HASH_HANDLER.format(call=call))))


def test_measure_the_slowdown_wants_a_measurement_not_the_theory():
    source = "async def slowdown(url):\n    return 5\n"  # the theory's number, not a measurement
    with pytest.raises(CheckFailed, match="sent 0 requests"):
        run(labsupport.check("measure-the-slowdown", answer("measure-the-slowdown", source)))
