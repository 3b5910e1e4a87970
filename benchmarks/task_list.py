"""Measure the to-do app's task list against a raw-SQL handler on the same data, and create latency.

Usage, from the repo root::

    .venv/bin/python benchmarks/task_list.py [--seconds 4] [--rounds 3] [--creates 1000] [--no-wrk]
    .venv/bin/python benchmarks/task_list.py --app-folder /tmp/old --app-folder notebooks   # before, after

The to-do app runs as ``python -m todo`` (``labsupport.serve_todo``; ``--app-folder``, which may
be given more than once, says where its ``todo`` package is: ``notebooks/`` by default), and so
does "raw": a Tornado handler of a dozen lines, started from this file, that checks the same
signed login cookie and reads the profile and its tasks with one JOIN through one aiosqlite
connection, then answers the same JSON. All of them read the same SQLite file, one account with
100 tasks, and are loaded the same way in the same run: 50 keep-alive connections from the
course's load generator (the loadgen of ``benchmarks/todo.py``, imported from it), each sending
its requests one after another with the same login cookie, rounds alternating between the
servers; ``wrk`` measures them too when it is installed. Before timing, every server's answer
must be byte for byte the raw handler's. With the requests/s, each server's CPU time (its process
and threads, read with psutil) is printed per request: under this load both keep a core busy, so
CPU time per request is what sets the requests/s. Then, for each app, 50 clients create tasks at
once and the p50 and p99 of the create latency are printed.

A report, not a test: figures come from one run on whatever machine runs it, so the goals (the
list at >= 0.5 of raw's requests/s, create p99 <= 100 ms) are printed with a verdict but never
fail the run. The exit status is non-zero only when a measurement itself went wrong (an
unexpected status, answers that differ, a lost or extra row, a traceback in a server's log).
Every server is stopped at the end, also when a measurement fails. Only 127.0.0.1 is targeted.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import math
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import httpx
import tornado.web

import labsupport

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("bench_todo", HERE / "todo.py")  # benchmarks/ is no package
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

RATIO_GOAL = 0.5  # the course's list should reach half of the raw handler's requests/s
P99_GOAL = 0.100  # seconds: create latency at 50 clients, 99th percentile
CPU_PER_REQUEST: dict[str, list[float]] = {}  # server -> CPU seconds per list request, each round of the last run

# ---- the raw-SQL handler: run as its own process by ``--serve-raw`` ---------------------------

RAW_SQL = """
    SELECT profiles.username, profiles.password_hash,
           tasks.id, tasks.name, tasks.note, tasks.created, tasks.due_date, tasks.completed
    FROM profiles LEFT JOIN tasks ON tasks.owner_id = profiles.id
    WHERE profiles.id = ? ORDER BY tasks.id
"""


class RawTaskList(tornado.web.RequestHandler):
    """GET /api/v1/accounts/<username>/tasks: the app's cookie check and JSON, from one JOIN.

    ``read`` runs the JOIN on the application's aiosqlite connection ``db``, in one hand-off to
    its thread; ``benchmarks/list_breakdown.py`` subclasses it inside the app.
    """

    async def get(self, username: str) -> None:
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        profile_id, _, stamp = (self.get_signed_cookie("todo_user", max_age_days=14) or b"").decode().partition(":")
        rows = await self.read(int(profile_id or 0))
        parts = rows[0][1].split("$") if rows else []
        if not rows or (parts[4] if len(parts) == 6 else "") != stamp:
            raise tornado.web.HTTPError(401)
        if rows[0][0] != username:
            raise tornado.web.HTTPError(403)
        tasks = [{"id": id, "name": name, "note": note,
                  "created": datetime.fromisoformat(created).isoformat() + "Z",
                  "due_date": due_date, "completed": bool(completed)}
                 for _, _, id, name, note, created, due_date, completed in rows if id is not None]
        self.write(json.dumps({"username": username, "tasks": tasks}))

    async def read(self, profile_id: int) -> list:
        return await self.application.db.execute_fetchall(RAW_SQL, (profile_id,))


def serve_raw(port: int, address: str, database: str) -> None:
    """Serve RawTaskList on ``address``:``port``, reading ``database``, until the process is stopped."""
    import aiosqlite

    async def main() -> None:
        app = tornado.web.Application([(r"/api/v1/accounts/([^/]+)/tasks", RawTaskList)],
                                      cookie_secret=os.environ["COOKIE_SECRET"], log_function=lambda handler: None)
        app.db = await aiosqlite.connect(database)
        app.listen(port, address)
        await asyncio.Event().wait()

    asyncio.run(main())


# ---- the measurement ------------------------------------------------------------------------

def nearest_rank(sorted_values: list[float], p: float) -> float:
    return sorted_values[max(0, math.ceil(p / 100 * len(sorted_values)) - 1)]


async def same_answers(urls: dict[str, str], cookie: str) -> int:
    """Every server must answer the list exactly as raw does: else the comparison says nothing."""
    async with httpx.AsyncClient() as client:
        bodies = {name: (await client.get(url, headers={"Cookie": cookie})).content for name, url in urls.items()}
    errors = 0
    for name, body in bodies.items():
        if body != bodies["raw"]:
            print(f"  ERROR: {name}'s answer differs from raw's:\n    {body[:200]!r}\n    {bodies['raw'][:200]!r}")
            errors += 1
    print(f"  every answer is the same {len(bodies['raw']):,} bytes of JSON" if not errors else "")
    return errors


async def creates(name: str, url: str, cookie: str, count: int, max_seconds: float) -> tuple[int, int]:
    """Warm-up and measured creates from 50 clients; print the latencies; return (rows added, errors)."""
    warm = await bench.create_latency(url, cookie, bench.CONNECTIONS * 2, max_seconds=max_seconds)
    result = await bench.create_latency(url, cookie, count, max_seconds=max_seconds)
    created = sorted(r.end - r.start for r in result if r.status == 201 and r.error is None)
    warm_201 = sum(r.status == 201 and r.error is None for r in warm)
    errors = (len(created) != len(result)) + (warm_201 != len(warm))
    if created:
        p50, p99 = nearest_rank(created, 50), nearest_rank(created, 99)
        verdict = "met" if p99 <= P99_GOAL else "MISSED"
        print(f"  {name:10} {len(created) / result.wall:8.0f} {bench.ms(p50):>10} {bench.ms(p99):>10} "
              f"{bench.ms(created[-1]):>10}   {verdict}")
    if errors:
        print(f"  {name}: not 201: statuses {result.statuses} {result.error_kinds}, warm-up {warm.statuses}")
    return warm_201 + len(created), errors


async def measure(args: argparse.Namespace, folder: Path, use_wrk: bool) -> int:
    database = folder / "bench-list.db"
    apps = {}  # name -> ServerProcess, all on one SQLite file
    for i, app_folder in enumerate(args.app_folder):
        name = "list" if len(args.app_folder) == 1 else f"list{i + 1}"
        apps[name] = labsupport.serve_todo(database=database, fresh=i == 0, name=f"bench-{name}", folder=app_folder)
        print(f"  {name}: the app in {Path(app_folder).resolve()}")
    first = next(iter(apps.values()))
    cookie = await bench.set_up_account(first.url)  # the same cookie works for all: one secret, one file
    raw = labsupport.serve_process([sys.executable, str(Path(__file__).resolve()), "--serve-raw", "--port={port}",
                                    "--address={host}", f"--database={database}"], name="bench-raw")
    path = f"api/v1/accounts/{bench.USER['username']}/tasks"
    urls = {name: f"{server.url}{path}" for name, server in apps.items()} | {"raw": f"{raw.url}{path}"}
    errors = await same_answers(urls, cookie)
    if errors:
        return errors

    clients = "the load generator" + (" and wrk -t1" if use_wrk else "")
    print(f"\n== GET list of {bench.TASKS} tasks, app vs raw SQL: {bench.CONNECTIONS} keep-alive connections, "
          f"{args.seconds} s runs, {args.rounds} rounds, {clients}", flush=True)
    pids = {name: server.pid for name, server in apps.items()} | {"raw": raw.pid}
    found = await bench.throughput(urls, cookie, args.seconds, args.rounds, args.warmup, use_wrk, pids)
    print(f"  {'client':26} {'server':8} {'req/s':>7} {'/ raw':>7}  goal >= {RATIO_GOAL}")
    for client in ("load", "wrk"):
        if not found["raw"][client]:
            continue
        label = "load generator (mean)" if client == "load" else "wrk -t1 (mean, check)"
        raw_rate = statistics.mean(found["raw"][client])
        print(f"  {label:26} {'raw':8} {raw_rate:7.0f}")
        for name in apps:
            rate = statistics.mean(found[name][client])
            verdict = "met" if rate / raw_rate >= RATIO_GOAL else "MISSED"
            print(f"  {'':26} {name:8} {rate:7.0f} {rate / raw_rate:7.2f}  {verdict}")
    # Each server is one process, its loop's thread and aiosqlite's: under 100 % of a core, it waits.
    print("  the servers' CPU under the load generator (all their threads; 100 % = one core busy):")
    for name in [*apps, "raw"]:
        CPU_PER_REQUEST[name] = found[name]["cpu"]
        per_request = " ".join(f"{1000 * cpu:.2f}" for cpu in found[name]["cpu"])
        print(f"  {'':26} {name:8} {statistics.mean(found[name]['busy']):7.0%}  "
              f"ms of CPU per request, each round: {per_request}")

    if args.creates:  # 0: the list only
        print(f"\n== Create: {args.creates} POSTs from {bench.CONNECTIONS} clients at once, per app "
              f"(at most {args.create_seconds:g} s)", flush=True)
        print(f"  {'server':10} {'creates/s':>8} {'p50':>10} {'p99':>10} {'max':>10}   "
              f"goal p99 <= {bench.ms(P99_GOAL)}")
        expected = bench.TASKS
        for name, server in apps.items():
            added, failed = await creates(name, f"{server.url}{path}", cookie, args.creates, args.create_seconds)
            expected += added
            errors += failed
        rows = bench.count_rows(database)
        print(f"  rows in tasks: {rows}; expected {expected}: {'ok' if rows == expected else 'MISMATCH'}")
        errors += rows != expected
    for name, server in [*apps.items(), ("raw", raw)]:
        if "Traceback" in server.logs():
            print(f"  {name} logged a traceback:\n    " + "\n    ".join(server.logs().splitlines()[-15:]))
            errors += 1
    return errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=4, help="duration of each timed list run")
    parser.add_argument("--rounds", type=int, default=3, help="rounds alternating the servers")
    parser.add_argument("--creates", type=int, default=1000,
                        help="tasks each app creates under 50 clients (0: none, the list only)")
    parser.add_argument("--create-seconds", type=float, default=30.0, help="time limit of each create run")
    parser.add_argument("--warmup", type=int, default=300,
                        help="untimed requests per server first (also the least a timed run sends)")
    parser.add_argument("--no-wrk", action="store_true", help="skip wrk even when it is installed")
    parser.add_argument("--app-folder", action="append",
                        help="a folder holding the todo package to measure (default: notebooks/, the course's "
                             "app); give it twice to compare two versions side by side")
    parser.add_argument("--serve-raw", action="store_true", help=argparse.SUPPRESS)  # the raw server's process
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--address", help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_raw:
        serve_raw(args.port, args.address, args.database)
        return 0
    args.app_folder = args.app_folder or [str(HERE.parent / "notebooks")]
    use_wrk = not args.no_wrk and shutil.which("wrk") is not None
    print(bench.machine())
    warning = bench.busy_warning()
    if warning:
        print(warning)
    if not use_wrk and not args.no_wrk:
        print("wrk is not installed (apt-get install wrk): measuring with the load generator only.")
    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="bench-list-"))
    os.environ.setdefault("COOKIE_SECRET", secrets.token_hex(32))  # the apps' and raw's, inherited
    try:
        errors = asyncio.run(measure(args, folder, use_wrk))
    except Exception as exc:  # a measurement error, not a missed goal
        print(f"ERROR: {exc!r}")
        errors = 1
    finally:
        labsupport.stop_all()  # before removing the database the servers have open
        shutil.rmtree(folder, ignore_errors=True)
    print(f"\n(whole run: {time.perf_counter() - started:.0f} s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
