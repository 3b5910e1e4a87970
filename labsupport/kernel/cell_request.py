"""Which execute request (which run of which cell) the running code belongs to.

ipykernel 7 keeps the current request in a context variable, so what a cell schedules (a task, a
callback, the handlers of a server it started) still sees that cell's request after it ends;
ipykernel 6 keeps only the last request the kernel received. The labsupport extension notes
each cell's request before it runs, in a context variable of ours, so both behave like 7.
Example, in a notebook cell::

    from labsupport.kernel.cell_request import current_request
    current_request()["header"]["msg_id"]     # this run's id; {} outside a kernel

The other way round, :func:`run_in_running_cell` lets code that a cell scheduled earlier (a
loop watchdog's report, say) print under the cell that is running *now*: the extension also
keeps a copy of the running cell's context from ``pre_run_cell`` to ``post_run_cell``.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import Context, ContextVar, copy_context

__all__ = ["cell_is_running", "current_request", "forget_requests", "note_cell_ended", "note_request",
           "run_in_running_cell"]

_noted: ContextVar[dict | None] = ContextVar("labsupport_cell_request", default=None)
_running: Context | None = None  # the context of the cell running now (its output goes under it)


def note_request(*_args) -> None:
    """Remember the request of the cell about to run; IPython calls this before each cell."""
    global _running
    _noted.set(_kernel_parent())
    _running = copy_context()


def note_cell_ended(*_args) -> None:
    """Forget the running cell's context; IPython calls this after each cell."""
    global _running
    _running = None


def cell_is_running() -> bool:
    """True between a cell's ``pre_run_cell`` and ``post_run_cell`` (with the extension loaded)."""
    return _running is not None


def run_in_running_cell(function: Callable[[], object]) -> bool:
    """Call ``function()`` so that what it prints goes under the cell running now; False if none runs.

    Call it from the kernel's loop thread (a callback, a task).
    """
    context = _running
    if context is None:
        return False
    try:
        context.run(function)
    except RuntimeError:  # that context is entered right now (we are inside the cell itself)
        function()
    return True


def current_request() -> dict:
    """The execute request of the running cell, or of the cell that scheduled this code; {} if none."""
    noted = _noted.get()
    return noted if noted is not None else _kernel_parent()


def forget_requests() -> None:
    """Stop answering from what was noted (the extension was unloaded): ask the kernel again."""
    global _running
    _noted.set(None)
    _running = None


def _kernel_parent() -> dict:
    try:
        from IPython import get_ipython
        kernel = getattr(get_ipython(), "kernel", None)
        return (kernel.get_parent() if kernel is not None else None) or {}
    except Exception:  # not in a kernel, or a kernel without parent tracking
        return {}
