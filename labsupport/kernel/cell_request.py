"""Which execute request (which run of which cell) the running code belongs to.

ipykernel 7 keeps the current request in a context variable, so what a cell schedules (a task, a
callback, the handlers of a server it started) still sees that cell's request after it ends;
ipykernel 6 keeps only the last request the kernel received. The labsupport extension notes
each cell's request before it runs, in a context variable of ours, so both behave like 7.
Example, in a notebook cell::

    from labsupport.kernel.cell_request import current_request
    current_request()["header"]["msg_id"]     # this run's id; {} outside a kernel
"""

from __future__ import annotations

from contextvars import ContextVar

__all__ = ["current_request", "forget_requests", "note_request"]

_noted: ContextVar[dict | None] = ContextVar("labsupport_cell_request", default=None)


def note_request(*_args) -> None:
    """Remember the request of the cell about to run; IPython calls this before each cell."""
    _noted.set(_kernel_parent())


def current_request() -> dict:
    """The execute request of the running cell, or of the cell that scheduled this code; {} if none."""
    noted = _noted.get()
    return noted if noted is not None else _kernel_parent()


def forget_requests() -> None:
    """Stop answering from what was noted (the extension was unloaded): ask the kernel again."""
    _noted.set(None)


def _kernel_parent() -> dict:
    try:
        from IPython import get_ipython
        kernel = getattr(get_ipython(), "kernel", None)
        return (kernel.get_parent() if kernel is not None else None) or {}
    except Exception:  # not in a kernel, or a kernel without parent tracking
        return {}
