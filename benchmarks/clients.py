"""Measure labsupport.load against wrk and other clients, and check the lesson 04 demos' timings.

Usage, from the repo root::

    .venv/bin/python benchmarks/clients.py [--seconds 5] [--rounds 2]

A report, not a test: figures come from one run on whatever machine runs it, so goals are
printed with a verdict but never fail the run. Every server runs in its own process and is
stopped at the end, also when a measurement fails. Only 127.0.0.1 is ever targeted.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

import httpx
import tornado.httpclient

import labsupport
from labsupport.demos.apps import BIG_PRIME, is_prime
from labsupport.measure.loadgen import LoadResult, load

LOAD_GOAL = 0.5  # load() should reach half of wrk's requests/s
SLEEP_GOAL = 0.10  # the sleep demo within 10 % of theory
CONNECTIONS = 50
PRIME_REQUESTS = 8
PRIME_ROUNDS = 3
MODES = ("inline", "threads", "processes")
PROBE_DELAY = 0.020  # the plain GET / goes out 20 ms after the CPU-bound requests


def ensure_wrk() -> str | None:
    """wrk's path, installing it with apt-get when it is missing and we may; None if not to be had."""
    if shutil.which("wrk"):
        return shutil.which("wrk")
    if shutil.which("apt-get") is None:
        print("wrk is not installed and there is no apt-get here: skipping the wrk comparison.")
        return None
    install = ["apt-get", "install", "-y", "wrk"]
    for attempt in (install, ["apt-get", "update"], install):
        try:
            subprocess.run(attempt, capture_output=True, text=True, timeout=300)
        except (OSError, subprocess.SubprocessError):  # no permission, no network, hung mirror
            continue
        if attempt[1] == "install" and shutil.which("wrk"):
            print("wrk was missing: installed it with apt-get.")
            return shutil.which("wrk")
    print("wrk is not installed and apt-get could not install it: skipping the wrk comparison.")
    return None


def run_wrk(wrk: str, url: str, seconds: int) -> float:
    out = subprocess.run([wrk, "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", url],
                         capture_output=True, text=True, timeout=seconds + 30).stdout
    found = re.search(r"Requests/sec:\s*([\d.]+)", out)
    if not found or "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"wrk did not report a clean run:\n{out}")
    return float(found.group(1))


async def run_load(url: str, seconds: float, rate_guess: float) -> float:
    result = await load(url, requests=max(2000, int(rate_guess * seconds)), concurrency=CONNECTIONS,
                        progress=False, max_seconds=seconds * 3)
    return check_ok(result, "load()").throughput


async def run_httpx(url: str, requests: int) -> float:
    limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
    async with httpx.AsyncClient(limits=limits) as client:
        async def worker() -> None:
            for _ in range(requests // CONNECTIONS):
                (await client.get(url)).raise_for_status()
        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONNECTIONS)))
        return requests // CONNECTIONS * CONNECTIONS / (time.perf_counter() - start)


async def run_tornado(url: str, requests: int) -> float:
    client = tornado.httpclient.AsyncHTTPClient(force_instance=True, max_clients=CONNECTIONS)
    try:
        start = time.perf_counter()
        await asyncio.gather(*(client.fetch(url) for _ in range(requests)))
        return requests / (time.perf_counter() - start)
    finally:
        client.close()


def check_ok(result: LoadResult, what: str) -> LoadResult:
    if result.errors or result.ok != len(result):
        raise RuntimeError(f"{what}: {result.summary(digits=2)}, statuses {result.statuses}")
    return result


async def compare_clients(wrk: str | None, seconds: int, rounds: int) -> None:
    hello = labsupport.serve_process("labsupport.demos.apps:make_sleep_app", name="bench-hello")
    url = hello.url
    await load(url, requests=2000, concurrency=CONNECTIONS, progress=False)  # warm up both sides
    print(f"\n== Hello world at {CONNECTIONS} connections, {seconds} s per run, {rounds} rounds")
    ours, theirs = [], []
    for i in range(rounds):
        wrk_rate = run_wrk(wrk, url, seconds) if wrk else None
        theirs += [wrk_rate] if wrk_rate else []
        ours.append(await run_load(url, seconds, wrk_rate or 5000))
        wrk_text = f"{wrk_rate:8.0f} req/s" if wrk_rate else "    (no wrk)"
        print(f"  round {i + 1}: wrk {wrk_text}   load() {ours[-1]:8.0f} req/s"
              + (f"   ratio {ours[-1] / wrk_rate:.2f}" if wrk_rate else ""))
    httpx_rate = await run_httpx(url, 1000)
    tornado_rate = await run_tornado(url, 2000)
    load_rate = statistics.mean(ours)
    print(f"  {'client':36} {'req/s':>8}")
    if theirs:
        print(f"  {'wrk -t2 -c50 (C, mean)':36} {statistics.mean(theirs):8.0f}")
    print(f"  {'labsupport.load, 50 workers (mean)':36} {load_rate:8.0f}")
    print(f"  {'httpx.AsyncClient, 50 at a time':36} {httpx_rate:8.0f}")
    print(f"  {'tornado AsyncHTTPClient, max 50':36} {tornado_rate:8.0f}")
    if theirs:
        wrk_rate = statistics.mean(theirs)
        ratio = load_rate / wrk_rate
        verdict = "met" if ratio >= LOAD_GOAL else "MISSED"
        print(f"  load()/wrk = {ratio:.2f} (goal >= {LOAD_GOAL:.2f}: {verdict}); "
              f"httpx/wrk = {httpx_rate / wrk_rate:.2f}; tornado/wrk = {tornado_rate / wrk_rate:.2f}")
    else:
        print("  load()/wrk: not measured (no wrk)")
    hello.stop()


async def sleep_demo(n: int = 20, seconds: float = 0.5) -> None:
    slow = labsupport.serve_process("labsupport.demos.apps:make_sleep_app", name="bench-sleep",
                                    settings={"seconds": seconds})
    await load(slow.url, requests=n, concurrency=n, progress=False)  # warm: first requests pay imports
    print(f"\n== Sleep demo: {n} requests at once, each handler sleeps {seconds} s")
    print(f"  {'handler':10} {'measured':>9} {'theory':>8} {'measured/theory':>16}  "
          f"goal within {SLEEP_GOAL:.0%}")
    for path, theory in (("blocking", n * seconds), ("async", seconds)):
        result = check_ok(await load(slow.url + path, requests=n, concurrency=n, progress=False,
                                     timeout=theory * 3), path)
        ratio = result.wall / theory
        verdict = "met" if abs(ratio - 1) <= SLEEP_GOAL else "MISSED"
        print(f"  {path:10} {result.wall:8.2f}s {theory:7.2f}s {ratio:16.3f}  {verdict}")
    slow.stop()


async def prime_demo(workers: int = 2) -> None:
    primes = labsupport.serve_process("labsupport.demos.apps:make_prime_app", name="bench-prime",
                                      settings={"workers": workers})
    for how in MODES:  # warm: start every pool worker (a slow number
        await load(f"{primes.url}{how}/{BIG_PRIME}", requests=workers,  # keeps the first one busy)
                   concurrency=workers, progress=False, timeout=60)
    print(f"\n== Prime demo: {PRIME_REQUESTS} concurrent /<how>/{BIG_PRIME}, {workers} workers; "
          f"a plain GET / sent {PROBE_DELAY * 1000:.0f} ms after they start; median of {PRIME_ROUNDS} rounds")
    walls: dict[str, list[float]] = {how: [] for how in MODES}
    probes: dict[str, list[float]] = {how: [] for how in MODES}
    for _ in range(PRIME_ROUNDS):  # rounds interleave the modes, so a noisy moment hits all of them
        for how in MODES:
            cpu = asyncio.ensure_future(load(f"{primes.url}{how}/{BIG_PRIME}", requests=PRIME_REQUESTS,
                                             concurrency=PRIME_REQUESTS, progress=False, timeout=60))
            await asyncio.sleep(PROBE_DELAY)
            probe = check_ok(await load(primes.url, requests=1, progress=False, timeout=60), "GET /")
            walls[how].append(check_ok(await cpu, how).wall)
            probes[how].append(probe.latencies[0])
    print(f"  {'how':10} {'wall':>7} {'GET / latency':>14}   (all rounds' walls)")
    for how in MODES:
        wall, probe_ms = statistics.median(walls[how]), statistics.median(probes[how]) * 1000
        print(f"  {how:10} {wall:6.2f}s {probe_ms:11.0f} ms   ({', '.join(f'{w:.2f}' for w in walls[how])})")
    speed_up = statistics.median(walls["inline"]) / statistics.median(walls["processes"])
    print(f"  speed-up of processes over inline: {speed_up:.2f}x (at most {workers}x with {workers} workers)")
    serial, pooled = pool_ceiling(workers)
    print(f"  the machine's own ceiling now, no server: {PRIME_REQUESTS} checks take {serial:.2f} s "
          f"in one process, {pooled:.2f} s on a pool of {workers}: {serial / pooled:.2f}x "
          f"({os.cpu_count()} cores, shared)")
    primes.stop()


def pool_ceiling(workers: int) -> tuple[float, float]:
    """Seconds for the prime checks in this process, then on a process pool: what the cores allow."""
    start = time.perf_counter()
    for _ in range(PRIME_REQUESTS):
        is_prime(BIG_PRIME)
    serial = time.perf_counter() - start
    with concurrent.futures.ProcessPoolExecutor(workers) as pool:
        list(pool.map(is_prime, [BIG_PRIME] * workers))  # start the workers before timing
        start = time.perf_counter()
        list(pool.map(is_prime, [BIG_PRIME] * PRIME_REQUESTS))
        return serial, time.perf_counter() - start


async def measure(args: argparse.Namespace, wrk: str | None) -> None:
    try:
        await compare_clients(wrk, args.seconds, args.rounds)
        await sleep_demo()
        await prime_demo()
    finally:
        labsupport.stop_all()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="duration of each wrk and load() run")
    parser.add_argument("--rounds", type=int, default=2, help="alternating wrk/load() rounds")
    args = parser.parse_args()
    wrk = ensure_wrk()
    try:
        asyncio.run(measure(args, wrk))
    except Exception as exc:  # a measurement error, not a missed goal
        print(f"ERROR: {exc!r}")
        return 1
    finally:
        labsupport.stop_all()
    return 0


if __name__ == "__main__":
    sys.exit(main())
