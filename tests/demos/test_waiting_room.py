"""Tests for labsupport.demos.waiting_room: the room that exercise 07's long polls wait in."""

from __future__ import annotations

import asyncio

from labsupport.demos.waiting_room import WaitingRoom

from ..conftest import run


def test_add_wakes_every_waiter_and_cancel_stops_counting():
    async def scenario():
        room = WaitingRoom()
        first, second, gone = room.wait(), room.wait(), room.wait()
        assert room.waiting == 3
        gone.cancel()
        assert room.waiting == 2
        room.add("hello")
        assert await asyncio.wait_for(asyncio.gather(first, second), 2) == [True, True]
        assert room.waiting == 0 and room.messages == ["hello"]
    run(scenario())
