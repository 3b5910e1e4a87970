"""Hold 10,000 idle connections to a Tornado server and to a thread-per-connection server; compare.

Usage, from the repo root::

    .venv/bin/python benchmarks/c10k.py [--connections 10000] [--plot c10k.png]

A report, not a test: figures come from one run on whatever machine runs it. Both servers are
measured in the same run, one after the other, each in its own process (stopped at the end, also
when a measurement fails). Only 127.0.0.1 is targeted. The soft open-file limit is raised up to
the hard one (`ulimit -Hn`, 20,000 on the course machines) for as long as the run needs it.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import resource
import sys
import time

import psutil
import tornado

from labsupport.measure import c10k
ISSUE_FIGURES = {"tornado": 9.1, "threads": 25.8}  # KB per connection measured when the issue was filed


async def run(connections: int, concurrency: int) -> list[c10k.C10kResult]:
    results = []
    for kind in c10k.SERVERS:
        started = time.monotonic()
        result = await c10k.measure(kind, connections=connections, concurrency=concurrency,
                                    timeout=30.0, max_seconds=120.0, settle=1.0)
        print(f"  {result}  [{time.monotonic() - started:.1f} s in all]", flush=True)
        results.append(result)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=200, help="connections being opened at once")
    parser.add_argument("--plot", help="also save the figure to this PNG file")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    print(f"Python {platform.python_version()}, Tornado {tornado.version}, {psutil.cpu_count()} cores, "
          f"open-file limit soft {soft} / hard {hard}")
    print(f"Holding {args.connections:,} idle keep-alive connections to each server:")
    try:
        tornado_result, threads_result = asyncio.run(run(args.connections, args.concurrency))
    except c10k.C10kError as exc:
        print(f"ERROR: {exc}")
        return 1
    print(f"\n{'server':24} {'KB/conn':>8} {'served/asked':>14} {'accepted':>9} {'threads':>8}  issue said")
    for result in (tornado_result, threads_result):
        print(f"{result.server:24} {result.kb_per_connection:8.1f} {result.served:>7,}/{result.asked:<6,} "
              f"{result.accepted:>9,} {result.threads:>8,}  {ISSUE_FIGURES[result.server]:.1f} KB")
    ratio = threads_result.kb_per_connection / tornado_result.kb_per_connection
    print(f"threads / Tornado memory per connection: {ratio:.1f}x")
    every = tornado_result.all_served and threads_result.all_served
    print(f"every connection served by both servers: {every}")
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        from labsupport.plots.c10k import plot_c10k

        plot_c10k([tornado_result, threads_result]).savefig(args.plot, dpi=100)
        print(f"figure saved to {args.plot}")
    return 0 if every else 1


if __name__ == "__main__":
    sys.exit(main())
