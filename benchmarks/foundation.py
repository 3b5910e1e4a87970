"""Measure the course's foundations once: serve() latency, HTTP client cost, lesson nbval time.

Usage, from the repo root::

    .venv/bin/python benchmarks/foundation.py [--repeats N] [--skip-nbval]

A report, not a test: figures come from one run on whatever machine runs it, so goals are
printed with a verdict but never fail the run. The exit status is non-zero only when a
measurement itself went wrong (a non-200 response, a notebook run that could not start).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import tornado.httpclient
import tornado.web

import labsupport

ROOT = Path(__file__).resolve().parent.parent
SERVE_GOAL_MS = 5.0
LESSON_GOAL_S = 20.0
NEW_CLIENT_REPEATS = 30
WARMUP = 5  # untimed rounds first, so imports and first-use caches do not count
LESSON_TIMEOUT_S = 600  # bounds a hung kernel; far above the goal


class HelloHandler(tornado.web.RequestHandler):
    def get(self) -> None:
        self.write("Hello, world")


def make_app() -> tornado.web.Application:
    return tornado.web.Application([(r"/", HelloHandler)])


def summary(samples_s: list[float]) -> dict[str, float]:
    """Median, p90 (nearest rank) and min, in milliseconds."""
    ms = sorted(s * 1000 for s in samples_s)
    p90 = ms[min(len(ms) - 1, math.ceil(0.9 * len(ms)) - 1)]
    return {"median": statistics.median(ms), "p90": p90, "min": ms[0]}


def check_200(code: int, what: str) -> None:
    if code != 200:
        raise RuntimeError(f"{what} answered {code}, expected 200")


async def serve_to_first_200(fetch, repeats: int) -> list[float]:
    """Time serve() of a fresh app until ``fetch(url)`` returns 200; stop the server each round."""
    samples = []
    for i in range(WARMUP + repeats):
        app = make_app()  # built before the clock starts: we time serving, not routing setup
        start = time.perf_counter()
        server = labsupport.serve(app, name="bench-hello")  # same name: replaces any earlier one
        try:
            check_200(await fetch(server.url), "serve()d hello app")
            elapsed = time.perf_counter() - start
        finally:
            await server.aclose()
        if i >= WARMUP:
            samples.append(elapsed)
    return samples


async def client_costs(repeats: int) -> tuple[list[float], list[float]]:
    """Time a new httpx.AsyncClient plus its first request, and a request on a reused client."""
    server = labsupport.serve(make_app(), name="bench-client")
    new, reused = [], []
    try:
        for i in range(WARMUP + repeats):
            start = time.perf_counter()
            client = httpx.AsyncClient()  # builds an SSL context even for http:// URLs
            try:
                check_200((await client.get(server.url)).status_code, "new httpx client")
                if i >= WARMUP:
                    new.append(time.perf_counter() - start)
            finally:
                await client.aclose()
        async with httpx.AsyncClient() as client:
            for i in range(WARMUP + repeats):
                start = time.perf_counter()
                check_200((await client.get(server.url)).status_code, "reused httpx client")
                if i >= WARMUP:
                    reused.append(time.perf_counter() - start)
    finally:
        await server.aclose()
    return new, reused


async def measure_http(repeats: int) -> dict[str, dict[str, float]]:
    tornado_client = tornado.httpclient.AsyncHTTPClient()  # one instance, made before timing

    async def tornado_fetch(url: str) -> int:
        return (await tornado_client.fetch(url, raise_error=False)).code

    try:
        rows = {"serve -> 200 (tornado client)": summary(await serve_to_first_200(tornado_fetch, repeats))}
        async with httpx.AsyncClient() as httpx_client:
            async def httpx_fetch(url: str) -> int:
                return (await httpx_client.get(url)).status_code
            rows["serve -> 200 (reused httpx)"] = summary(await serve_to_first_200(httpx_fetch, repeats))
        new, reused = await client_costs(NEW_CLIENT_REPEATS)
        rows["new httpx client + 1st request"] = summary(new)
        rows["request on reused httpx client"] = summary(reused)
        return rows
    finally:
        tornado_client.close()
        labsupport.stop_all()  # belt and braces: nothing we started may outlive the loop


def run_lesson(notebook: Path) -> tuple[float, str]:
    """Run one lesson under nbval in its own pytest; return (seconds, 'pass'|'FAIL'|'ERROR')."""
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", str(notebook)]
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=LESSON_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return time.perf_counter() - start, "ERROR"
    seconds = time.perf_counter() - start
    # pytest exit 1 means cells failed (a lesson problem); anything else means it never ran.
    verdict = {0: "pass", 1: "FAIL"}.get(proc.returncode, "ERROR")
    if verdict != "pass":
        tail = [line for line in proc.stdout.splitlines() if line.strip()][-1:] or [proc.stderr[-200:]]
        print(f"  {notebook.name}: {verdict} (exit {proc.returncode}): {tail[0]}")
    return seconds, verdict


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200, help="timed rounds per serve() measure")
    parser.add_argument("--skip-nbval", action="store_true", help="do not time the lessons")
    args = parser.parse_args()
    errors = 0

    print(f"serve() -> first 200, {args.repeats} repeats; httpx client cost, {NEW_CLIENT_REPEATS} repeats")
    try:
        rows = asyncio.run(measure_http(max(1, args.repeats)))
    except Exception as exc:  # a measurement error, not a missed goal
        print(f"ERROR measuring HTTP: {exc!r}")
        rows, errors = {}, errors + 1

    lessons: list[tuple[str, float, str]] = []
    if not args.skip_nbval:
        for notebook in sorted((ROOT / "notebooks").glob("[0-9][0-9]*-*.ipynb")):
            seconds, verdict = run_lesson(notebook)
            print(f"  {notebook.name}: {seconds:.1f} s, {verdict}")
            lessons.append((notebook.name, seconds, verdict))
            errors += verdict == "ERROR"

    print(f"\n{'measure':42} {'median':>9} {'p90':>9} {'min':>9}  goal")
    for label, s in rows.items():
        goal = ""
        if label.startswith("serve -> 200 (tornado"):
            met = "met" if s["median"] <= SERVE_GOAL_MS else "MISSED"
            goal = f"median <= {SERVE_GOAL_MS:g} ms: {met}"
        print(f"{label:42} {s['median']:7.2f}ms {s['p90']:7.2f}ms {s['min']:7.2f}ms  {goal}".rstrip())
    if rows:
        ratio = rows["new httpx client + 1st request"]["median"] / rows["request on reused httpx client"]["median"]
        print(f"{'new client / reused request':42} {ratio:8.0f}x   (why lessons reuse one client)")
    for name, seconds, verdict in lessons:
        met = "met" if seconds <= LESSON_GOAL_S else "MISSED"
        print(f"{'nbval ' + name:42} {seconds:8.1f}s  {verdict:>5}  <= {LESSON_GOAL_S:g} s: {met}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
