"""The one list of servers this kernel started, so re-running a cell replaces instead of colliding.

Example::

    import labsupport
    labsupport.running()    # [Server('hello', 'http://127.0.0.1:51234/', listening)]
    labsupport.stop_all()   # stops every server and server process; also runs at kernel exit
"""

from __future__ import annotations

import atexit
from typing import Protocol

__all__ = ["running", "stop", "stop_all"]


class _Stoppable(Protocol):
    name: str
    cell_id: str | None
    port: int

    def stop(self) -> None: ...


_live: dict[str, _Stoppable] = {}


def _add(server: _Stoppable) -> None:
    """Record a started server under its name (the caller has stopped any earlier one)."""
    _live[server.name] = server


def _forget(server: _Stoppable) -> None:
    """Drop a server from the list; called by its ``stop()``."""
    if _live.get(server.name) is server:
        del _live[server.name]


def _replace(name: str, cell_id: str | None) -> None:
    """Stop the server called ``name`` and any server started by the same notebook cell."""
    for server in list(_live.values()):
        if server.name == name or (cell_id is not None and server.cell_id == cell_id):
            server.stop()


def _holder_of(port: int) -> _Stoppable | None:
    """The live server of ours that listens on ``port``, if any."""
    return next((s for s in _live.values() if s.port == port), None)


def running() -> list:
    """List the servers and server processes started from this kernel that are still live."""
    return list(_live.values())


def stop(name: str) -> None:
    """Stop the server called ``name``; raises KeyError with the live names when there is none."""
    try:
        server = _live[name]
    except KeyError:
        raise KeyError(f"No live server is called {name!r}; live ones: {sorted(_live) or 'none'}") from None
    server.stop()


def stop_all() -> int:
    """Stop every live server and server process; return how many were stopped."""
    servers = list(_live.values())
    for server in servers:
        server.stop()
    return len(servers)


atexit.register(stop_all)
