"""Tests for labsupport.kernel.loop_repair: the running loop comes back after a cell that lost it."""

from __future__ import annotations

import asyncio

from labsupport.kernel import loop_repair as kernel_loop
from ..conftest import run


def test_a_lost_running_loop_is_put_back():
    async def scenario():
        loop = asyncio.get_running_loop()
        kernel_loop.remember_loop()
        before = kernel_loop.repairs
        asyncio.events._set_running_loop(None)  # what CPython 3.13.0-3.13.2 does (gh-130145)
        kernel_loop.repair_loop()
        assert asyncio.get_running_loop() is loop
        assert kernel_loop.repairs == before + 1
    run(scenario())


def test_nothing_is_touched_when_the_loop_is_still_there():
    async def scenario():
        kernel_loop.remember_loop()
        before = kernel_loop.repairs
        kernel_loop.repair_loop()
        assert kernel_loop.repairs == before
    run(scenario())


def test_affected_versions():
    assert kernel_loop.affected((3, 13, 0)) and kernel_loop.affected((3, 13, 2))
    assert not kernel_loop.affected((3, 13, 3)) and not kernel_loop.affected((3, 11, 7))
