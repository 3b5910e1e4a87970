"""The IPython extension: what ``import labsupport`` changes in a notebook kernel, and how to undo it.

Two things, both reversible with ``%unload_ext labsupport``:

- errors a learner can cause (:class:`labsupport.LabError`) show as one red line instead of
  a traceback; any exception handler installed before (``shell.set_custom_exc``) keeps
  handling its own exceptions;
- a ``pre_run_cell``/``post_run_cell`` pair repairs the kernel's event loop after a cell
  that hit CPython bug gh-130145 (see :mod:`labsupport.kernel.loop_repair`).

``import labsupport`` loads it when it runs inside IPython, unless the environment variable
``LABSUPPORT_NO_EXTENSION`` is set; ``%load_ext labsupport`` loads it by hand. Example::

    %load_ext labsupport      # a no-op after `import labsupport`
    %unload_ext labsupport    # the kernel is as it was, a handler of your own included
"""

from __future__ import annotations

import os
from typing import Any

from . import loop_repair
from ..errors import LabError

__all__ = ["load_if_safe", "load_ipython_extension", "loaded", "unload_ipython_extension"]

_HOOKS = (("pre_run_cell", loop_repair.remember_loop), ("post_run_cell", loop_repair.repair_loop))
_state: dict[int, dict[str, Any]] = {}  # per shell: the handler we chained to, and ours


def load_ipython_extension(shell) -> None:
    """Install the short error display and the loop repair in ``shell``; called by ``%load_ext``."""
    if id(shell) in _state:
        return
    previous_types = tuple(shell.custom_exceptions)
    previous = shell.CustomTB if previous_types else None

    def short_error(shell, etype, value, tb, tb_offset=None):
        if issubclass(etype, LabError):
            shell._showtraceback(etype, value, [f"\x1b[0;31m{etype.__name__}\x1b[0m: {value}"])
            return None
        return previous(etype, value, tb, tb_offset=tb_offset)  # the learner's own handler

    shell.set_custom_exc(previous_types + (LabError,), short_error)
    _state[id(shell)] = {"types": previous_types, "previous": previous, "ours": shell.CustomTB}
    for event, hook in _HOOKS:
        if hook not in shell.events.callbacks[event]:
            shell.events.register(event, hook)
    loop_repair.remember_loop()  # the cell that loads us is already past its pre_run_cell


def unload_ipython_extension(shell) -> None:
    """Put back the exception handler that was there before and remove the hooks."""
    state = _state.pop(id(shell), None)
    if state is None:
        return
    if shell.CustomTB is state["ours"]:  # else someone installed a handler since: leave theirs
        if state["previous"] is None:
            shell.set_custom_exc((), None)
        else:
            shell.CustomTB, shell.custom_exceptions = state["previous"], state["types"]
    for event, hook in _HOOKS:
        if hook in shell.events.callbacks[event]:
            shell.events.unregister(event, hook)


def loaded(shell=None) -> bool:
    """Whether the extension is loaded in ``shell`` (by default the running IPython shell)."""
    shell = shell if shell is not None else _shell()
    return shell is not None and id(shell) in _state


def load_if_safe() -> bool:
    """Load the extension into the running IPython shell, if there is one; True when loaded.

    Not in plain Python (a script, a server process) and not when ``LABSUPPORT_NO_EXTENSION``
    is set. Loading goes through IPython's extension manager, so ``%load_ext`` and
    ``%unload_ext`` know about it.
    """
    shell = _shell()
    if shell is None or os.environ.get("LABSUPPORT_NO_EXTENSION"):
        return False
    shell.extension_manager.load_extension("labsupport")
    return loaded(shell)


def _shell():
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python without IPython
        return None
    return get_ipython()
