"""Measure what server.watch() costs: hello-world requests/s with the view off and on, and the memory it holds.

Usage, from the repo root::

    .venv/bin/python benchmarks/request_view.py [--seconds 3] [--rounds 3] [--requests 100000]

The server and ``labsupport.load`` share one event loop, as in a notebook kernel; "off" and "on"
take turns in each round, and each figure is the median of its rounds. Then the memory the
view's record holds (``tracemalloc``) after ``--requests`` real requests, against the same after
1,000: with the default ``limit`` of 200 the two should be about the same (bounded).

A report, not a test: figures come from one run on whatever machine runs it, so the goal is
printed with a verdict but never fails the run. The exit status is non-zero only when a
measurement went wrong (a status other than 200). Only 127.0.0.1 is targeted.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tracemalloc

import tornado.web

import labsupport
from labsupport.measure.loadgen import load

RATIO_GOAL = 0.95
CONCURRENCY = 10


class HelloHandler(tornado.web.RequestHandler):
    def get(self) -> None:
        self.write("Hello, world")


async def rate(url: str, requests: int) -> float:
    result = await load(url, requests=requests, concurrency=CONCURRENCY, progress=False, max_seconds=300)
    if result.errors or result.statuses != {200: len(result)}:
        raise RuntimeError(f"hello world answered {result.statuses} with {result.errors} errors")
    return result.throughput


async def held_after(url: str, requests: int) -> tuple[int, int]:
    """Bytes the view's record holds after ``requests`` requests, and how many it keeps."""
    server = labsupport.serve(tornado.web.Application([(r"/", HelloHandler)]), name="memory")
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    view = server.watch()
    done = 0
    while done < requests:  # load() keeps a record per request itself: measure in slices
        step = min(20_000, requests - done)
        await rate(server.url, step)
        done += step
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    held = sum(stat.size_diff for stat in after.compare_to(before, "filename")
               if "labsupport/watch" in str(stat.traceback))
    kept = len(view.log.answered)
    server.stop()
    return held, kept


async def measure(args: argparse.Namespace) -> int:
    server = labsupport.serve(tornado.web.Application([(r"/", HelloHandler)]), name="speed")
    requests = max(200, int(await rate(server.url, 500) * args.seconds))
    found: dict[str, list[float]] = {"off": [], "on": []}
    print(f"== hello world, {CONCURRENCY} connections, {requests} requests per run, {args.rounds} rounds", flush=True)
    for i in range(args.rounds):
        for mode in (("off", "on") if i % 2 == 0 else ("on", "off")):
            view = server.watch() if mode == "on" else None
            found[mode].append(await rate(server.url, requests))
            if view is not None:
                view.stop()
        print(f"  round {i + 1}: off {found['off'][-1]:.0f}/s, on {found['on'][-1]:.0f}/s", flush=True)
    server.stop()
    off, on = statistics.median(found["off"]), statistics.median(found["on"])
    verdict = "met" if on / off >= RATIO_GOAL else "MISSED"
    print(f"  median: off {off:.0f}/s, on {on:.0f}/s, on/off {on / off:.3f} (goal ≥ {RATIO_GOAL}: {verdict})")
    small, kept_small = await held_after(server.url, 1_000)
    big, kept_big = await held_after(server.url, args.requests)
    print(f"== memory held by the view's record (tracemalloc, labsupport/watch)\n"
          f"  after 1,000 requests: {small / 1024:.0f} KiB, {kept_small} kept\n"
          f"  after {args.requests:,} requests: {big / 1024:.0f} KiB, {kept_big} kept "
          f"({big / max(small, 1):.2f}× the first)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="length of one run (default 3)")
    parser.add_argument("--rounds", type=int, default=3, help="runs per mode (default 3)")
    parser.add_argument("--requests", type=int, default=100_000, help="requests for the memory figure")
    args = parser.parse_args(argv)
    try:
        return asyncio.run(measure(args))
    finally:
        labsupport.stop_all()


if __name__ == "__main__":
    sys.exit(main())
