"""Measure the to-do app: task-list requests/s against hello world, and create latency at 50 clients.

Usage, from the repo root::

    .venv/bin/python benchmarks/todo.py [--seconds 4] [--rounds 2] [--creates 2000] [--no-wrk]
    .venv/bin/python benchmarks/todo.py --app-folder /tmp/changed   # a changed copy of notebooks/todo

The to-do app runs as ``python -m todo`` on a fresh SQLite file (``labsupport.serve_todo``) and
the hello-world app (``labsupport.demos.apps``, ``GET /``) in a second process; both are loaded the
same way in the same run: 50 keep-alive connections from the course's load generator, each
sending its requests one after another, with the same login cookie, rounds alternating between
the two apps. When ``wrk`` is installed, it measures both apps too, as a check on a client
written in C. Then 50 clients create tasks at once and the create latencies are printed.

A report, not a test: figures come from one run on whatever machine runs it, so goals are
printed with a verdict but never fail the run. The exit status is non-zero only when a
measurement itself went wrong (an unexpected status, a lost or extra row). Every server is
stopped at the end, also when a measurement fails. Only 127.0.0.1 is ever targeted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiosqlite
import httpx
import psutil
import sqlalchemy
import tornado

import labsupport
from labsupport.measure import cpu as measure_cpu, loadgen
from labsupport.measure.loadgen import LoadResult

RATIO_GOAL = 0.5  # the task list should reach half of hello world's requests/s
CONNECTIONS = 50
BUSY_LIMIT = 25.0  # % of all cores busy before the run: warn that other work skews the figures
TASKS = 100
USER = {"username": "bench", "email": "bench@example.org", "password": "benchmark-password"}
TASK_BODY = json.dumps({"name": "Benchmark task", "note": "created under load"}).encode()


async def load_with(url: str, *, headers: dict[str, str], requests: int, concurrency: int = CONNECTIONS,
                    method: str = "GET", body: bytes | None = None, timeout: float = 10.0,
                    max_seconds: float = 60.0) -> LoadResult:
    """``labsupport.load`` with this benchmark's defaults: extra headers, no progress bar."""
    return await loadgen.load(url, headers=headers, requests=requests, concurrency=concurrency,
                              method=method, body=body, timeout=timeout, max_seconds=max_seconds,
                              progress=False)


def check_all(result: LoadResult, status: int, what: str) -> LoadResult:
    """Raise unless every request got ``status``."""
    if result.errors or result.statuses != {status: len(result)}:
        raise RuntimeError(f"{what}: {result.summary(digits=2)}, statuses {result.statuses}")
    return result


def run_wrk(url: str, cookie: str, seconds: int) -> float:
    """Requests/s from ``wrk -t1 -c50`` with the login cookie; raise on any error or non-2xx."""
    out = subprocess.run(["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "-H", f"Cookie: {cookie}", url],
                         capture_output=True, text=True, timeout=seconds + 30).stdout
    found = re.search(r"Requests/sec:\s*([\d.]+)", out)
    if not found or "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"wrk did not report a clean run:\n{out}")
    return float(found.group(1))


async def set_up_account(base: str) -> str:
    """Register and log in the benchmark account, create its tasks; return the Cookie header value."""
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        response = await client.post("/api/v1/accounts", json=USER)
        if response.status_code != 201:
            raise RuntimeError(f"register answered {response.status_code}: {response.text}")
        response = await client.post("/api/v1/accounts/login",
                                     json={"username": USER["username"], "password": USER["password"]})
        if response.status_code != 200 or "todo_user" not in client.cookies:
            raise RuntimeError(f"login answered {response.status_code} without the cookie: {response.text}")
        tasks = f"/api/v1/accounts/{USER['username']}/tasks"
        for i in range(TASKS):
            response = await client.post(tasks, json={"name": f"Task {i + 1}", "note": "x" * 40})
            if response.status_code != 201:
                raise RuntimeError(f"creating task {i + 1} answered {response.status_code}: {response.text}")
        listed = (await client.get(tasks)).json()["tasks"]
        if len(listed) != TASKS:
            raise RuntimeError(f"the list holds {len(listed)} tasks, expected {TASKS}")
        return f"todo_user={client.cookies['todo_user']}"


def cpu_seconds(pid: int) -> float:
    """CPU seconds used so far by the process ``pid`` and its descendants, all their threads."""
    return measure_cpu.cpu_seconds(measure_cpu.process_tree(pid))


async def throughput(urls: dict[str, str], cookie: str, seconds: int, rounds: int, warmup: int,
                     use_wrk: bool, pids: dict[str, int] | None = None) -> dict[str, dict[str, list[float]]]:
    """Requests/s per app and client, ``rounds`` rounds that alternate between the apps.

    With ``pids`` (app name -> the pid of its server's process tree), each round of the load
    generator also adds to ``found[name]["cpu"]`` the server's CPU seconds per request, and to
    ``found[name]["busy"]`` the share of one core it used: 1.0 is a core busy the whole time, and a
    one-process server well under 1.0 is waiting, not computing.
    """
    headers = {"Cookie": cookie}
    rates: dict[str, float] = {}
    for name, url in urls.items():  # warm both servers; the warm-up rate sizes the timed runs
        warm = check_all(await load_with(url, headers=headers, requests=warmup), 200, name)
        rates[name] = warm.throughput
    found: dict[str, dict[str, list[float]]] = {name: {"load": [], "wrk": [], "cpu": [], "busy": []}
                                                  for name in urls}
    for i in range(rounds):
        line = []
        for name, url in urls.items():
            cpu_before, started = cpu_seconds(pids[name]) if pids else 0.0, time.perf_counter()
            result = check_all(await load_with(url, headers=headers,
                                               requests=max(warmup, int(rates[name] * seconds)),
                                               max_seconds=seconds * 3), 200, name)
            if pids:
                used = cpu_seconds(pids[name]) - cpu_before
                found[name]["cpu"].append(used / len(result))
                found[name]["busy"].append(used / (time.perf_counter() - started))
            rates[name] = result.throughput
            found[name]["load"].append(result.throughput)
            line.append(f"{name} load {result.throughput:6.0f}")
            if use_wrk:
                found[name]["wrk"].append(run_wrk(url, cookie, seconds))
                line.append(f"wrk {found[name]['wrk'][-1]:6.0f}")
        print(f"  round {i + 1}: " + "   ".join(line) + "  req/s", flush=True)
    return found


async def create_latency(url: str, cookie: str, creates: int, max_seconds: float) -> LoadResult:
    """``creates`` POSTs of one task from 50 clients at once (each on its own keep-alive connection)."""
    headers = {"Cookie": cookie, "Content-Type": "application/json"}
    return await load_with(url, headers=headers, requests=creates, method="POST", body=TASK_BODY,
                           max_seconds=max_seconds)


def count_rows(database: Path) -> int:
    """Rows in the tasks table, read from the SQLite file itself (read-only), not through the app."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        return db.execute("SELECT COUNT(*) FROM tasks").fetchone()[0]


def machine() -> str:
    model = ""
    try:
        model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                      if line.startswith("model name")), "")
    except OSError:
        pass
    return (f"{os.cpu_count()} cores{f' ({model})' if model else ''}; Python {platform.python_version()}, "
            f"Tornado {tornado.version}, SQLAlchemy {sqlalchemy.__version__}, aiosqlite {aiosqlite.__version__}, "
            f"SQLite {sqlite3.sqlite_version}")


def busy_warning() -> str | None:
    """A warning when other work keeps the cores busy (over a second, now): the figures would say little."""
    busy = psutil.cpu_percent(interval=1.0)
    if busy > BUSY_LIMIT:
        return (f"WARNING: the cores were {busy:.0f} % busy before the run: other work is running, "
                f"so these figures are low and noisy.")
    return None


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


async def measure(args: argparse.Namespace, folder: Path, use_wrk: bool) -> int:
    errors = 0
    database = folder / "bench-todo.db"
    todo = labsupport.serve_todo(database=database, fresh=True, name="bench-todo", folder=args.app_folder)
    hello = labsupport.serve_process("labsupport.demos.apps:make_sleep_app", name="bench-hello")
    cookie = await set_up_account(todo.url)
    tasks_url = f"{todo.url}api/v1/accounts/{USER['username']}/tasks"

    clients = "the load generator"
    clients += " and wrk -t1" if use_wrk else ""
    print(f"\n== GET list of {TASKS} tasks vs hello world: {CONNECTIONS} keep-alive connections, "
          f"{args.seconds} s runs, {args.rounds} rounds, {clients}", flush=True)
    found = await throughput({"hello": hello.url, "list": tasks_url}, cookie, args.seconds, args.rounds,
                             args.warmup, use_wrk)
    print(f"  {'client':26} {'hello req/s':>12} {'list req/s':>11} {'list/hello':>11}  goal >= {RATIO_GOAL}")
    for client in ("load", "wrk"):
        if not found["hello"][client]:
            continue
        hello_rate, list_rate = (statistics.mean(found[name][client]) for name in ("hello", "list"))
        ratio = list_rate / hello_rate
        label = "load generator (mean)" if client == "load" else "wrk -t1 (mean, check)"
        verdict = "met" if ratio >= RATIO_GOAL else "MISSED"
        print(f"  {label:26} {hello_rate:12.0f} {list_rate:11.0f} {ratio:11.2f}  {verdict}")
    async with httpx.AsyncClient() as client:
        list_bytes = len((await client.get(tasks_url, headers={"Cookie": cookie})).content)
    print(f"  (one list response: {list_bytes:,} bytes of JSON; hello world: 12 bytes)")

    print(f"\n== Create: {args.creates} POSTs from {CONNECTIONS} clients at once "
          f"(at most {args.create_seconds:g} s)", flush=True)
    warm = await create_latency(tasks_url, cookie, CONNECTIONS * 2, max_seconds=args.create_seconds)
    result = await create_latency(tasks_url, cookie, args.creates, max_seconds=args.create_seconds)
    created = [r.end - r.start for r in result if r.status == 201 and r.error is None]
    created.sort()
    not_201 = len(result) - len(created)
    if created:
        p50, p99 = (created[max(0, math.ceil(p / 100 * len(created)) - 1)] for p in (50, 99))  # nearest rank
        print(f"  {len(result)} requests in {result.wall:.2f} s ({len(created) / result.wall:.0f} creates/s): "
              f"{len(created)} answered 201, {not_201} did not")
        print(f"  latency of the 201s: p50 {ms(p50)}, p99 {ms(p99)}, max {ms(created[-1])}")
    else:
        print(f"  {len(result)} requests: none answered 201")
    if not_201:
        print(f"  not 201: statuses {result.statuses}, errors {result.error_kinds}")
        errors += 1
    warm_201 = sum(r.status == 201 and r.error is None for r in warm)
    if warm_201 != len(warm):
        print(f"  warm-up creates not 201: statuses {warm.statuses}, errors {warm.error_kinds}")
        errors += 1
    expected = TASKS + warm_201 + len(created)
    rows = count_rows(database)
    verdict = "ok" if rows == expected else "MISMATCH"
    print(f"  rows in tasks: {rows}; expected {TASKS} + {warm_201} warm-up + {len(created)} measured "
          f"= {expected}: {verdict}")
    errors += rows != expected
    if "Traceback" in todo.logs():
        print("  the to-do server logged a traceback:\n    " + "\n    ".join(todo.logs().splitlines()[-15:]))
        errors += 1
    return errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=4, help="duration of each timed list/hello run")
    parser.add_argument("--rounds", type=int, default=2, help="rounds alternating hello and list")
    parser.add_argument("--creates", type=int, default=2000, help="tasks created under 50 clients")
    parser.add_argument("--create-seconds", type=float, default=20.0, help="time limit of the create run")
    parser.add_argument("--warmup", type=int, default=500,
                        help="untimed requests per app first (also the least a timed run sends)")
    parser.add_argument("--no-wrk", action="store_true", help="skip wrk even when it is installed")
    parser.add_argument("--app-folder", help="the folder holding the todo package to measure, e.g. a "
                                             "changed copy (default: notebooks/, the course's app)")
    args = parser.parse_args(argv)
    use_wrk = not args.no_wrk and shutil.which("wrk") is not None
    print(machine())
    warning = busy_warning()
    if warning:
        print(warning)
    if not use_wrk and not args.no_wrk:
        print("wrk is not installed (apt-get install wrk): measuring with the load generator only.")
    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="bench-todo-"))
    try:
        errors = asyncio.run(measure(args, folder, use_wrk))
    except Exception as exc:  # a measurement error, not a missed goal
        print(f"ERROR: {exc!r}")
        errors = 1
    finally:
        labsupport.stop_all()  # before removing the database the server has open
        shutil.rmtree(folder, ignore_errors=True)
    print(f"\n(whole run: {time.perf_counter() - started:.0f} s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
