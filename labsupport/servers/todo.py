"""Start the course's to-do app (``notebooks/todo``) as a separate process on a free port.

Example, in a lesson cell::

    import labsupport
    todo = labsupport.serve_todo(database="lesson-09.db", fresh=True)
    todo.url          # 'http://127.0.0.1:40213/'
    todo.stop()       # or labsupport.stop_all(); the database file stays

The process is ``DATABASE_URL=... python -m todo --port=...`` run in ``notebooks/``, as a
learner would type it in a terminal, under the same clean-up guarantees as ``serve_process``.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from . import registry
from ..errors import ServeError
from ..paths import ROOT_VARIABLE, course_path
from .links import proxy_prefix
from .processes import ServerProcess, serve_process

__all__ = ["TODO_FOLDER", "forget_todo", "import_todo", "serve_todo", "sqlite_url"]

TODO_FOLDER = course_path("notebooks")
# One random secret per kernel (or test run): a login survives a restart of the app in the same
# kernel, and nobody who has read the course can sign a cookie for a learner's app.
KERNEL_SECRET = secrets.token_hex(32)


def sqlite_url(path: str | os.PathLike) -> str:
    """The SQLAlchemy URL of an SQLite file, e.g. ``sqlite+aiosqlite:////home/ada/lesson-09.db``."""
    return f"sqlite+aiosqlite:///{Path(path).resolve()}"


def serve_todo(*, database: str | os.PathLike | None = "todo.db", database_url: str | None = None,
               fresh: bool = False, name: str = "todo", folder: str | os.PathLike | None = None,
               options: Sequence[str] = (), grace: float = 12.0, ready_timeout: float = 20.0) -> ServerProcess:
    """Run the to-do app on a free port of 127.0.0.1; re-running replaces the earlier process.

    ``database`` is an SQLite file (relative to the current folder); ``database_url`` takes any
    SQLAlchemy URL instead (``postgresql+asyncpg://...``). ``fresh=True`` deletes the SQLite
    file first, after the earlier process under ``name`` has stopped, so a lesson starts empty.
    ``folder`` is where the ``todo`` package lives (``notebooks/`` of the course by default).
    ``options`` are more command-line options, e.g. ``["--processes=2"]``; after SIGTERM the app
    gets ``grace`` seconds to shut down (its ``--shutdown_timeout`` is 10 by default) before it is killed.
    """
    folder = Path(folder) if folder is not None else TODO_FOLDER
    if not (folder / "todo" / "__main__.py").exists():
        raise ServeError(f"There is no to-do app in {folder}: expected {folder / 'todo' / '__main__.py'}. "
                         "Run the %%writefile cells of lesson 08 first.")
    if database is None and database_url is None:
        raise ServeError("Give a database file (database='todo.db') or a database_url.")
    earlier = registry.get(name)
    if earlier is not None:
        earlier.stop()  # stop it before deleting the file it has open
    if database_url is None:
        database_url = sqlite_url(database)
        if fresh:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{Path(database).resolve()}{suffix}").unlink(missing_ok=True)
    # The database goes in the environment, which the app reads only for options it defines:
    # lesson 08's app has no database yet, and starts all the same.
    command = [sys.executable, "-m", "todo", "--port={port}", "--address={host}", "--logging=warning", *options]
    if proxy_prefix() is not None:
        # Behind a hub's proxy the browser's Host header (the hub's name) reaches the app. The
        # browser is on another machine and comes through the proxy, which checks the login, so
        # no page can rebind a name to this host's 127.0.0.1: any name may be let in.
        command.append("--hosts=.*")
    return serve_process(command, name=name, cwd=folder, ready_timeout=ready_timeout, grace=grace,
                         env={"DATABASE_URL": database_url,
                              "COOKIE_SECRET": os.environ.get("COOKIE_SECRET", KERNEL_SECRET)})


def import_todo(*, folder: str | os.PathLike | None = None) -> ModuleType:
    """Import the ``todo`` package the lessons wrote (``notebooks/todo``), leaving ``sys.path`` alone.

    Exercise notebooks live in ``exercises/``, away from the app; this imports it by its file, so
    ``from todo.base import BaseView`` works afterwards. Example, in an exercise cell::

        labsupport.import_todo()
        from todo.base import BaseView
    """
    package = (Path(folder) if folder is not None else TODO_FOLDER).resolve() / "todo"
    loaded = sys.modules.get("todo")
    if loaded is not None:
        if Path(loaded.__file__ or "").resolve().parent == package:
            return loaded
        raise ServeError(f"Another package called todo is imported already ({loaded.__file__}), so the "
                         f"course's app in {package} cannot be. Restart the kernel.")
    if not (package / "__init__.py").exists():
        raise ServeError(f"There is no to-do app in {package}. Run the %%writefile cells of lesson 08 "
                         f"first, or set {ROOT_VARIABLE} to the course folder.")
    spec = importlib.util.spec_from_file_location("todo", package / "__init__.py",
                                                  submodule_search_locations=[str(package)])
    module = importlib.util.module_from_spec(spec)
    sys.modules["todo"] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules["todo"]
        raise
    return module


def forget_todo() -> list[str]:
    """Drop the ``todo`` modules this kernel has imported; return their names.

    Python imports a module once and keeps it in ``sys.modules``: after cells rewrite the app's
    files, the next ``import todo.app`` would still find the old code. Example, in a lesson::

        labsupport.forget_todo()
        from todo.app import make_app     # reads the files as the cells above left them
    """
    names = sorted(name for name in sys.modules if name == "todo" or name.startswith("todo."))
    for name in names:
        del sys.modules[name]
    return names
