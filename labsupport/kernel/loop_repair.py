"""Keep the kernel's event loop registered as running after a cell that tried to start another.

On Python 3.13.0 to 3.13.2, a failed ``loop.run_forever()`` inside a running loop (which is
what Tornado's blocking ``HTTPClient`` does in a cell) unregisters the *running* loop
(CPython issue gh-130145, fixed in 3.13.3). The kernel then fails on every later cell with
"no running event loop". The labsupport IPython extension (:mod:`labsupport.kernel.extension`, loaded by
``import labsupport``) runs :func:`remember_loop` before each cell and :func:`repair_loop` after
it, putting the kernel's loop back; on other versions they find nothing to repair. Example::

    import labsupport                        # loads the extension in a notebook
    labsupport.kernel.loop_repair.repairs           # how many times a cell needed repair
"""

from __future__ import annotations

import asyncio
import sys

__all__ = ["AFFECTED_PYTHONS", "affected", "remember_loop", "repair_loop", "repairs"]

AFFECTED_PYTHONS = ((3, 13, 0), (3, 13, 1), (3, 13, 2))
repairs = 0
_loop_before_cell: asyncio.AbstractEventLoop | None = None


def remember_loop(*_args) -> None:
    """Note the running loop; IPython calls this before each cell (``pre_run_cell``)."""
    global _loop_before_cell
    _loop_before_cell = asyncio._get_running_loop()


def repair_loop(*_args) -> None:
    """Re-register the noted loop if a cell unregistered it; called after each cell (``post_run_cell``)."""
    global repairs
    loop = _loop_before_cell
    if loop is not None and asyncio._get_running_loop() is None and loop.is_running():
        asyncio.events._set_running_loop(loop)
        repairs += 1


def affected(version: tuple[int, ...] = tuple(sys.version_info[:3])) -> bool:
    """Whether this Python has the bug the hooks repair."""
    return tuple(version) in AFFECTED_PYTHONS
