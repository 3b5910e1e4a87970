"""Where the task list's CPU time goes: the course's list against copies that each drop one part.

Usage, from the repo root::

    .venv/bin/python benchmarks/list_breakdown.py [--seconds 4] [--rounds 3]

Copies ``notebooks/todo`` into a temporary folder four times, changes one thing in each copy, then
runs ``benchmarks/task_list.py`` on the five and its raw-SQL handler side by side (same data, same
load, rounds alternating), and prints the CPU time per request of each and the differences:

- list1, the course's list as it is;
- list2, "driver": borrows SQLAlchemy's pooled connection as before, but runs the JOIN on the
  aiosqlite connection underneath (no statement, no result object, one hand-off for the query);
- list3, "no SQLAlchemy": the same view code, the JOIN on an aiosqlite connection of its own;
- list4, "raw in the app": the raw handler's code as the route's view, inside ``TodoApp``;
- list5, the same with five hand-offs to aiosqlite's thread per read (cursor, execute, fetch,
  close, rollback), one read at a time, as SQLAlchemy's adapter and pool of one make them.

list2 and list3 turn the JOIN's rows into what SQLAlchemy gives (a named tuple, datetimes, a
date, a bool), so the view's code is unchanged and so is the JSON (task_list.py checks every
answer byte for byte); list4 and list5, like the raw handler, keep the values as SQLite gives them.
So list1 - list2 is SQLAlchemy's statement and result less that conversion, list2 - list3 the
borrowing and giving back of the pooled connection (with its rollback, and the one call that
reaches the aiosqlite connection underneath), list3 - list4 the view's code with the conversion.
Each difference is taken within a round, and the median of the rounds is printed with the lowest
and highest: on a shared machine one round can be far off.
A report, not a test: one run on whatever machine runs it. Only 127.0.0.1 is targeted, and every
server and the temporary copies are gone at the end.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("bench_task_list", HERE / "task_list.py")
task_list = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(task_list)

READ = """        async with self.application.database.engine.connect() as connection:  # a read: no session needed
            rows = (await connection.execute(PROFILE_WITH_TASKS, {"profile_id": login and login[0]})).all()
"""
DRIVER_READ = """        async with self.application.database.engine.connect() as connection:
            driver = (await connection.get_raw_connection()).driver_connection
            rows = as_rows(await driver.execute_fetchall(RAW_SQL, (login and login[0],)))
"""
OWN_READ = """        connection = await own_connection(self.application)
        rows = as_rows(await connection.execute_fetchall(RAW_SQL, (login and login[0],)))
"""
HELPERS = '''

# ---- added by benchmarks/list_breakdown.py ----
import asyncio as _asyncio
import collections as _collections
import datetime as _datetime
import importlib.util as _importlib_util

import aiosqlite as _aiosqlite

_spec = _importlib_util.spec_from_file_location("bench_task_list", {task_list!r})  # benchmarks/ is no package
_task_list = _importlib_util.module_from_spec(_spec)
_spec.loader.exec_module(_task_list)
RAW_SQL = _task_list.RAW_SQL
Row = _collections.namedtuple("Row", "username password_hash id name note created due_date completed")


def as_rows(rows):
    """The JOIN's rows as SQLAlchemy gives them: a named tuple, datetimes, a date, a bool."""
    return [Row(username, password_hash, id, name, note,
                created and _datetime.datetime.fromisoformat(created),
                due_date and _datetime.date.fromisoformat(due_date),
                None if completed is None else bool(completed))
            for username, password_hash, id, name, note, created, due_date, completed in rows]


async def own_connection(app):
    """One aiosqlite connection of the app's own, opened by the first request (the others await it).

    Closed with the app: an open one keeps aiosqlite's thread, and so the process, alive at SIGTERM.
    """
    if "own_connection" not in vars(app):
        app.own_connection = _asyncio.ensure_future(_aiosqlite.connect(app.database.engine.url.database))
        close_app = app.close

        async def close() -> None:
            await (await app.own_connection).close()
            await close_app()

        app.close = close
    return await app.own_connection


class RawTaskList(_task_list.RawTaskList):
    """The raw handler of benchmarks/task_list.py, as a view of TodoApp."""

    async def read(self, profile_id: int) -> list:
        """The JOIN's rows: one hand-off to aiosqlite's thread."""
        return await (await own_connection(self.application)).execute_fetchall(RAW_SQL, (profile_id,))


class FiveHandOffs(RawTaskList):
    """The same, with the hand-offs of SQLAlchemy's adapter, one read at a time (its pool holds one)."""

    async def read(self, profile_id: int) -> list:
        connection, app = await own_connection(self.application), self.application
        if "one_read" not in vars(app):
            app.one_read = _asyncio.Lock()
        async with app.one_read:
            cursor = await connection.cursor()
            await cursor.execute(RAW_SQL, (profile_id,))
            rows = await cursor.fetchall()
            await cursor.close()
            await connection.rollback()  # SQLAlchemy's, as it gives the connection back
        return rows
'''
VARIANTS = {  # name: the changes, each (file, text that must be there once, what replaces it)
    "driver": [("tasks.py", READ, DRIVER_READ)],
    "no SQLAlchemy": [("tasks.py", READ, OWN_READ)],
    "raw in the app": [("app.py", 'rf"/api/v1/accounts/{USER}/tasks", TaskListView)',
                        'rf"/api/v1/accounts/{USER}/tasks", tasks.RawTaskList)'),
                       ("app.py", "from .tasks import", "from . import tasks\nfrom .tasks import")],
    "raw in the app, five hand-offs": [("app.py", 'rf"/api/v1/accounts/{USER}/tasks", TaskListView)',
                                        'rf"/api/v1/accounts/{USER}/tasks", tasks.FiveHandOffs)'),
                                       ("app.py", "from .tasks import", "from . import tasks\nfrom .tasks import")],
}


def make_variant(folder: Path, changes: list[tuple[str, str, str]]) -> Path:
    """A copy of notebooks/todo in ``folder``/todo, with the helpers added and ``changes`` made."""
    shutil.copytree(HERE.parent / "notebooks" / "todo", folder / "todo")
    tasks = folder / "todo" / "tasks.py"
    tasks.write_text(tasks.read_text() + HELPERS.format(task_list=str(HERE / "task_list.py")))
    for name, old, new in changes:
        path = folder / "todo" / name
        text = path.read_text()
        if text.count(old) != 1:
            raise SystemExit(f"list_breakdown: todo/{name} has changed; update this script's copy of:\n{old}")
        path.write_text(text.replace(old, new))
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=4, help="duration of each timed list run")
    parser.add_argument("--rounds", type=int, default=3, help="rounds alternating the servers")
    args = parser.parse_args(argv)
    top = Path(tempfile.mkdtemp(prefix="bench-breakdown-"))
    try:
        folders = [HERE.parent / "notebooks"]
        folders += [make_variant(top / str(i), changes) for i, changes in enumerate(VARIANTS.values(), 2)]
        print("list1: the course's list; " + "; ".join(f"list{i}: {name}" for i, name in enumerate(VARIANTS, 2)))
        code = task_list.main([f"--seconds={args.seconds}", f"--rounds={args.rounds}", "--creates=0", "--no-wrk",
                               *(f"--app-folder={folder}" for folder in folders)])
        cpu = task_list.CPU_PER_REQUEST
        if code == 0 and len(cpu) == len(folders) + 1:
            print("\n== Where the list's CPU time per request goes: ms, the median of the rounds (lowest to highest)")
            parts = [("SQLAlchemy's statement and result", "list1", "list2"),
                     ("borrowing and returning the connection", "list2", "list3"),
                     ("the view's code, and the rows' values", "list3", "list4"),
                     ("TodoApp around the view", "list4", "raw"),
                     ("the list over the raw handler", "list1", "raw"),
                     ("(within: five hand-offs a read, not one)", "list5", "list4")]
            extra = statistics.median(a - b for a, b in zip(cpu["list1"], cpu["raw"]))
            for label, more, less in parts:
                each = sorted(1000 * (a - b) for a, b in zip(cpu[more], cpu[less]))  # the same round's
                share = f"{statistics.median(each) / 1000 / extra:5.0%}" if not label.startswith("the list") else ""
                print(f"  {label:44} {statistics.median(each):6.2f} ({each[0]:.2f} to {each[-1]:.2f}) {share}")
        return code
    finally:
        shutil.rmtree(top, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
