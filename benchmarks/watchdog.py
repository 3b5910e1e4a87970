"""Measure what the loop watchdog costs: hello-world requests/s with it off, on, and with asyncio debug mode instead.

Usage, from the repo root::

    .venv/bin/python benchmarks/watchdog.py [--seconds 3] [--rounds 3]

The server and ``labsupport.load`` share one event loop, as they do in a notebook kernel; the
three modes take turns in each round (the order rotating), and each mode's figure is the median
of its rounds. Ratios are printed twice: of requests/s, and of CPU time per request (inverted, so
both read "share of the speed kept"), which other work on a shared machine sways less. Then, for the docstring's claims: the CPU time an idle loop spends with the
watchdog, and what each tool says about a handler that calls ``time.sleep(0.3)``.

A report, not a test: figures come from one run on whatever machine runs it, so goals are
printed with a verdict but never fail the run. The exit status is non-zero only when a
measurement itself went wrong (an error or a non-200 response). Only 127.0.0.1 is targeted.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import time

import tornado.web

import labsupport
from labsupport.measure.loadgen import load
from labsupport.watch.loop_watchdog import watch_loop

RATIO_GOAL = 0.95  # the watchdog on should keep 95 % of the requests/s
CONCURRENCY = 10
MODES = ("off", "watchdog", "asyncio debug")
IDLE_SECONDS = 3.0


class HelloHandler(tornado.web.RequestHandler):
    def get(self) -> None:
        self.write("Hello, world")


class SleepyHandler(tornado.web.RequestHandler):
    def get(self) -> None:
        time.sleep(0.3)
        self.write("slept")


def make_app() -> tornado.web.Application:
    return tornado.web.Application([(r"/", HelloHandler), (r"/sleepy", SleepyHandler)])


_watching: list = []  # the watchdog while one runs


def set_mode(loop: asyncio.AbstractEventLoop, mode: str) -> None:
    loop.set_debug(mode == "asyncio debug")
    if mode == "watchdog":
        _watching[:] = [watch_loop(0.1, show=False)]
    while mode != "watchdog" and _watching:
        _watching.pop().stop()


async def rate(url: str, requests: int) -> tuple[float, float]:
    """Requests/s, and the process's CPU µs per request (less swayed by other work on the machine)."""
    cpu = time.process_time()
    result = await load(url, requests=requests, concurrency=CONCURRENCY, progress=False, max_seconds=120)
    cpu = time.process_time() - cpu
    if result.errors or result.statuses != {200: len(result)}:
        raise RuntimeError(f"hello world answered {result.statuses} with {result.errors} errors")
    return result.throughput, cpu / requests * 1e6


async def throughput(url: str, seconds: float, rounds: int) -> dict[str, list[tuple[float, float]]]:
    loop = asyncio.get_running_loop()
    found: dict[str, list[tuple[float, float]]] = {mode: [] for mode in MODES}
    requests = max(200, int((await rate(url, 500))[0] * seconds))  # the warm-up sizes the timed runs
    for i in range(rounds):
        order = MODES[i % len(MODES):] + MODES[:i % len(MODES)]
        for mode in order:
            set_mode(loop, mode)
            found[mode].append(await rate(url, requests))
        print(f"  round {i + 1}: " + ", ".join(f"{mode} {found[mode][-1][0]:.0f}/s" for mode in MODES))
    set_mode(loop, "off")
    return found


async def idle_cpu() -> dict[str, float]:
    """CPU ms per second of an idle loop, watchdog off and on."""
    loop, found = asyncio.get_running_loop(), {}
    for mode in ("off", "watchdog"):
        set_mode(loop, mode)
        start = time.process_time()
        await asyncio.sleep(IDLE_SECONDS)
        found[mode] = (time.process_time() - start) / IDLE_SECONDS * 1000
    set_mode(loop, "off")
    return found


class _Remember(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


async def what_each_says(url: str) -> dict[str, list[str]]:
    """The lines the watchdog and asyncio debug mode log for one blocking request."""
    loop, said = asyncio.get_running_loop(), {}
    for mode, logger_name in (("watchdog", "labsupport.watchdog"), ("asyncio debug", "asyncio")):
        remember = _Remember()
        logging.getLogger(logger_name).addHandler(remember)
        set_mode(loop, mode)
        await rate(url + "sleepy", 1)
        await asyncio.sleep(0.05)
        set_mode(loop, "off")
        logging.getLogger(logger_name).removeHandler(remember)
        said[mode] = remember.lines
    return said


async def main(seconds: float, rounds: int) -> int:
    server = labsupport.serve(make_app(), name="bench-watchdog")
    try:
        print(f"hello world, {CONCURRENCY} connections, ~{seconds:g} s per run, {rounds} rounds")
        found = await throughput(server.url, seconds, rounds)
        idle = await idle_cpu()
        said = await what_each_says(server.url)
    finally:
        await server.aclose()
    median = {mode: statistics.median(r for r, _ in runs) for mode, runs in found.items()}
    cpu = {mode: statistics.median(c for _, c in runs) for mode, runs in found.items()}
    print(f"\n{'mode':16} {'median req/s':>13} {'CPU µs/req':>11}  rounds (req/s)")
    for mode in MODES:
        print(f"{mode:16} {median[mode]:13.0f} {cpu[mode]:11.0f}  " + " ".join(f"{r:.0f}" for r, _ in found[mode]))
    ratio = median["watchdog"] / median["off"]
    verdict = "met" if ratio >= RATIO_GOAL else "MISSED"
    print(f"{'watchdog / off':16} {ratio:13.3f} {cpu['off'] / cpu['watchdog']:11.3f}  goal >= {RATIO_GOAL}: {verdict}")
    print(f"{'debug / off':16} {median['asyncio debug'] / median['off']:13.3f} {cpu['off'] / cpu['asyncio debug']:11.3f}")
    print(f"\nidle loop CPU: {idle['off']:.2f} ms/s off, {idle['watchdog']:.2f} ms/s with the watchdog")
    print("\nfor one GET that calls time.sleep(0.3):")
    for mode, lines in said.items():
        for line in lines or ["(nothing)"]:
            print(f"  {mode}: {line}")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="seconds per timed run, about")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the three modes")
    args = parser.parse_args()
    try:
        sys.exit(asyncio.run(main(args.seconds, max(1, args.rounds))))
    except RuntimeError as exc:  # a measurement error, not a missed goal
        print(f"ERROR: {exc}")
        sys.exit(1)
