"""Tests for labsupport.measure.profiling: where a cProfile run spent its time, by part."""

from __future__ import annotations

import cProfile
import json

import pytest

from labsupport import profile_shares


def busy(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i
    return total


def profiled(work) -> cProfile.Profile:
    profiler = cProfile.Profile()
    profiler.enable()
    work()
    profiler.disable()
    return profiler


def test_the_shares_follow_the_code_that_ran():
    profiler = profiled(lambda: (busy(300_000), json.dumps({"n": list(range(200_000))})))
    shares = profile_shares(profiler, parts={"this test": ("test_profiling",), "json": ("/json/", "_json")})
    assert list(shares) == ["this test", "json", "everything else"]
    assert sum(shares.values()) == pytest.approx(1.0)
    assert shares["this test"] > 0.2 and shares["json"] > 0.1


def test_the_first_part_that_matches_wins():
    profiler = profiled(lambda: busy(100_000))
    shares = profile_shares(profiler, parts={"first": ("test_profiling",), "second": ("test_profiling",)})
    assert shares["first"] > 0.9 and shares["second"] == 0


def test_the_course_parts_come_in_a_fixed_order():
    shares = profile_shares(profiled(lambda: json.dumps(list(range(100_000)))))
    assert list(shares)[:2] == ["the app (todo/)", "SQLAlchemy ORM"] and list(shares)[-1] == "everything else"
    assert shares["json"] > 0.5
