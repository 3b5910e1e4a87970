"""Keep the kernel's event loop registered as running after a cell that tried to start another.

On Python 3.13.0 to 3.13.2, a failed ``loop.run_forever()`` inside a running loop (which is
what Tornado's blocking ``HTTPClient`` does in a cell) unregisters the *running* loop
(CPython issue gh-130145, fixed in 3.13.3). The kernel then fails on every later cell with
"no running event loop". ``import labsupport`` installs two IPython hooks that put the kernel's
loop back after such a cell; on other versions they find nothing to repair. Example::

    import labsupport                        # installs the hooks in a notebook
    labsupport.kernel_loop.repairs           # how many times a cell needed repair
"""

from __future__ import annotations

import asyncio
import sys

__all__ = ["AFFECTED_PYTHONS", "affected", "install", "repairs"]

AFFECTED_PYTHONS = ((3, 13, 0), (3, 13, 1), (3, 13, 2))
repairs = 0
_loop_before_cell: asyncio.AbstractEventLoop | None = None


def _remember_loop(*_args) -> None:
    global _loop_before_cell
    _loop_before_cell = asyncio._get_running_loop()


def _repair_loop(*_args) -> None:
    global repairs
    loop = _loop_before_cell
    if loop is not None and asyncio._get_running_loop() is None and loop.is_running():
        asyncio.events._set_running_loop(loop)
        repairs += 1


def install() -> bool:
    """Register the hooks in the running IPython shell; True when there is one."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None:
        return False
    for event, hook in (("pre_run_cell", _remember_loop), ("post_run_cell", _repair_loop)):
        if hook not in shell.events.callbacks[event]:
            shell.events.register(event, hook)
    _remember_loop()  # the cell that imports labsupport is already past its pre_run_cell
    return True


def affected(version: tuple[int, ...] = tuple(sys.version_info[:3])) -> bool:
    """Whether this Python has the bug the hooks repair."""
    return tuple(version) in AFFECTED_PYTHONS
