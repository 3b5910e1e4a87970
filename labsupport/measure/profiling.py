"""Where a profiled stretch of code spent its time, by the part of the program that ran.

Example, in a notebook cell, with a server on the kernel's loop::

    import cProfile, labsupport
    profiler = cProfile.Profile()
    profiler.enable()
    await labsupport.load(server.url, requests=300, concurrency=20)
    profiler.disable()
    labsupport.profile_shares(profiler)   # {'the app (todo/)': 0.08, 'SQLAlchemy ORM': 0.21, ...}

``cProfile`` sees the thread that enabled it, here the kernel's event loop: the server's
handlers, the load generator's clients, and the loop waiting for sockets. Each function's own
time (``tottime``, without what it called) counts for the part its file belongs to.
"""

from __future__ import annotations

import cProfile
import pstats

__all__ = ["PARTS", "profile_shares"]

# label: fragments of a function's file path (or of a built-in's name); the first label that matches wins
PARTS: dict[str, tuple[str, ...]] = {
    "the app (todo/)": ("/todo/",),
    "SQLAlchemy ORM": ("/sqlalchemy/orm/",),
    "SQLAlchemy Core, engine, SQL": ("/sqlalchemy/",),
    "aiosqlite and greenlet": ("/aiosqlite/", "greenlet"),
    "Tornado": ("/tornado/",),
    "json": ("/json/", "_json"),
    "the load generator (labsupport)": ("/labsupport/",),
    "waiting for sockets (epoll, select)": ("select.epoll", "select.select", "select.kqueue", "poll' of"),
    "asyncio": ("/asyncio/", "_asyncio"),
}
OTHER = "everything else"


def profile_shares(profiler: cProfile.Profile, *, parts: dict[str, tuple[str, ...]] | None = None) -> dict[str, float]:
    """The share (0 to 1) of the profiled time that each of ``parts`` took, in their order, then the rest."""
    parts = PARTS if parts is None else parts
    totals = dict.fromkeys([*parts, OTHER], 0.0)
    for (filename, _line, function), (_calls, _primitive, own, _cumulative, _callers) in pstats.Stats(profiler).stats.items():
        where = f"{filename.replace(chr(92), '/')} {function}"
        label = next((name for name, fragments in parts.items() if any(f in where for f in fragments)), OTHER)
        totals[label] += own
    whole = sum(totals.values()) or 1.0
    return {label: seconds / whole for label, seconds in totals.items()}
