"""Measure the to-do app with one worker process and with two: task-list requests/s, side by side.

Usage, from the repo root::

    .venv/bin/python benchmarks/processes.py [--seconds 4] [--rounds 3]

Both runs are ``python -m todo --processes=N`` (``labsupport.serve_todo``) on the same SQLite file,
one account with 100 tasks (``benchmarks/todo.py`` sets it up), loaded the same way by the course's
load generator (50 keep-alive connections), rounds alternating between N=1 and N=2. The load
generator runs in this process and takes a share of the cores. Each configuration's CPU is
printed too (all its processes and threads, psutil): one process keeps about a core busy, and
two use a little less CPU per request each, so they can answer a little more than twice as many.
Lesson 12 measures the same, once, from the notebook.

A report, not a test: figures come from one run on whatever machine runs it. The exit status is
non-zero only when a measurement went wrong (a status other than 200). Every server is stopped at
the end, also on failure. Only 127.0.0.1 is targeted.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import statistics
import sys
import tempfile
from pathlib import Path

import labsupport

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("bench_todo", HERE / "todo.py")  # benchmarks/ is no package
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


async def measure(args: argparse.Namespace, database: Path) -> int:
    first = labsupport.serve_todo(database=database, fresh=True, name="bench-setup")
    cookie = await bench.set_up_account(first.url)  # the same COOKIE_SECRET for every server of this run
    first.stop()
    servers = {n: labsupport.serve_todo(database=database, name=f"bench-{n}-processes",
                                        options=[f"--processes={n}"]) for n in (1, 2)}
    tasks_url = "api/v1/accounts/{}/tasks".format(bench.USER["username"])
    urls = {f"{n} process{'es' if n > 1 else ''}": server.url + tasks_url for n, server in servers.items()}
    print(f"{bench.machine()}\n== GET list of {bench.TASKS} tasks, {bench.CONNECTIONS} connections, "
          f"{args.seconds} s runs, {args.rounds} rounds", flush=True)
    pids = dict(zip(urls, (server.pid for server in servers.values())))
    found = await bench.throughput(urls, cookie, args.seconds, args.rounds, warmup=200, use_wrk=False, pids=pids)
    means = {name: statistics.mean(rates["load"]) for name, rates in found.items()}
    (one, two) = means.values()
    for name, mean in means.items():
        print(f"  {name:12} {mean:7.0f} req/s (mean of {args.rounds}); all its processes used "
              f"{statistics.mean(found[name]['busy']):.0%} of a core, "
              f"{1000 * statistics.mean(found[name]['cpu']):.2f} ms of CPU per request")
    print(f"  2 processes / 1 process: {two / one:.2f}   ({os.cpu_count()} cores here)")
    if (warning := bench.busy_warning()) is not None:
        print(warning)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-processes-") as folder:
        try:
            return asyncio.run(measure(args, Path(folder) / "todo.db"))
        except (RuntimeError, AssertionError) as exc:
            print(f"measurement failed: {exc}", file=sys.stderr)
            return 1
        finally:
            labsupport.stop_all()


if __name__ == "__main__":
    sys.exit(main())
