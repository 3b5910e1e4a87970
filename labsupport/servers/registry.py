"""The one list of servers this kernel started, so re-running a cell replaces instead of colliding.

Example::

    import labsupport
    labsupport.running()    # [Server('hello', 'http://127.0.0.1:51234/', listening)]
    labsupport.stop_all()   # stops every server and server process; also runs at kernel exit

The rule for replacing: a new server stops the live server of the same ``name``, and every
server that an *earlier run* of the same notebook cell started. Servers started by one run of
a cell never replace each other, so a cell may start an upstream service and the app that
calls it. A run is one execute request (JupyterLab sends the cell's id with it; nbval and
other clients send none, and then the name alone decides). Servers started with
``standalone=True`` (the checks' own) take no part: they never replace, nor are replaced.
"""

from __future__ import annotations

import atexit
import itertools
import threading
from dataclasses import dataclass
from typing import Protocol

from ..kernel.cell_request import current_request

__all__ = ["Origin", "add", "claim", "current_origin", "forget", "get", "holder_of", "release", "running",
           "stop", "stop_all"]


@dataclass(frozen=True)
class Origin:
    """Which run of which cell started a server: the cell's id and the execute request's id."""

    cell_id: str | None = None
    run_id: str | None = None
    standalone: bool = False

    def replaces(self, other: "Origin", *, same_name: bool) -> bool:
        """Whether a server started from here stops ``other``'s server (see the module's rule)."""
        if self.standalone or other.standalone:
            return False
        if self.run_id is not None and other.run_id == self.run_id:
            return False  # the same run of the same cell: both stay
        return same_name or (self.cell_id is not None and other.cell_id == self.cell_id)


class _Stoppable(Protocol):
    name: str
    origin: Origin
    port: int

    def stop(self) -> None: ...


_live: dict[str, _Stoppable] = {}
_claimed: set[str] = set()  # names handed out by claim() whose server is not added yet
_lock = threading.RLock()  # check servers register from the checker's threads


def current_origin(*, standalone: bool = False) -> Origin:
    """The origin of a server started now: the executing cell's id and run, when in a kernel."""
    if standalone:
        return Origin(standalone=True)
    parent = current_request()
    cell_id = (parent.get("metadata") or {}).get("cellId")
    run_id = (parent.get("header") or {}).get("msg_id")
    return Origin(cell_id=cell_id or None, run_id=run_id or None)


def claim(name: str, origin: Origin) -> str:
    """Stop the servers a new one from ``origin`` replaces; return the name it can register under.

    The name is ``name`` itself, or ``name-2``, ``name-3`` ... when a server that stays (one
    from the same run, or a standalone one) already has it. The name is held for the caller
    until it calls :func:`add` (or :func:`release`, when starting failed).
    """
    with _lock:
        doomed = [s for s in _live.values() if origin.replaces(s.origin, same_name=s.name == name)]
    for server in doomed:
        server.stop()
    with _lock:
        taken = _live.keys() | _claimed
        chosen = name if name not in taken else next(
            f"{name}-{n}" for n in itertools.count(2) if f"{name}-{n}" not in taken)
        _claimed.add(chosen)
        return chosen


def release(name: str) -> None:
    """Give back a name from :func:`claim` whose server never started."""
    with _lock:
        _claimed.discard(name)


def add(server: _Stoppable) -> None:
    """Record a started server under its name (claimed with :func:`claim` just before)."""
    with _lock:
        _claimed.discard(server.name)
        _live[server.name] = server


def forget(server: _Stoppable) -> None:
    """Drop a server from the list; called by its ``stop()``."""
    with _lock:
        if _live.get(server.name) is server:
            del _live[server.name]


def get(name: str) -> _Stoppable | None:
    """The live server called ``name``, or None."""
    with _lock:
        return _live.get(name)


def holder_of(port: int) -> _Stoppable | None:
    """The live server of ours that listens on ``port``, if any."""
    with _lock:
        return next((s for s in _live.values() if s.port == port), None)


def running() -> list:
    """List the servers and server processes started from this kernel that are still live."""
    with _lock:
        return list(_live.values())


def stop(name: str) -> None:
    """Stop the server called ``name``; raises KeyError with the live names when there is none."""
    server = get(name)
    if server is None:
        live = sorted(s.name for s in running())
        raise KeyError(f"No live server is called {name!r}; live ones: {live or 'none'}")
    server.stop()


def stop_all() -> int:
    """Stop every live server and server process; return how many were stopped."""
    servers = running()
    for server in servers:
        server.stop()
    return len(servers)


atexit.register(stop_all)
