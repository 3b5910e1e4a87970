"""The IPython extension: what ``import labsupport`` changes in a notebook kernel, and how to undo it.

Four things, all undone by ``%unload_ext labsupport``:

- errors a learner can cause (:class:`labsupport.LabError`) show as one red line instead of
  a traceback; an exception handler installed before (``shell.set_custom_exc``) keeps
  handling its other exceptions, and if it ever fails (IPython then drops every handler),
  the one-line display comes back on its own;
- a ``pre_run_cell``/``post_run_cell`` pair repairs the kernel's event loop after a cell
  that hit CPython bug gh-130145 (see :mod:`labsupport.kernel.loop_repair`);
- a ``pre_run_cell``/``post_run_cell`` pair notes which run of which cell is executing, so code a
  cell scheduled keeps its cell on ipykernel 6 as on 7, and a report can go under the cell running
  now (see :mod:`labsupport.kernel.cell_request`);
- a cell whose first line is ``# needs: nginx`` only prints how to install nginx when it is
  missing, instead of failing (see :mod:`labsupport.kernel.needs`).

``import labsupport`` loads it when it runs inside IPython, unless the environment variable
``LABSUPPORT_NO_EXTENSION`` is set; ``%load_ext labsupport`` loads it by hand. Example::

    %load_ext labsupport      # a no-op after `import labsupport`
    %unload_ext labsupport    # the kernel is as it was, a handler of your own included
"""

from __future__ import annotations

import os
from typing import Any

from . import cell_request, loop_repair, needs
from ..errors import LabError

__all__ = ["load_if_safe", "load_ipython_extension", "loaded", "unload_ipython_extension"]

_HOOKS = (("pre_run_cell", loop_repair.remember_loop), ("pre_run_cell", cell_request.note_request),
          ("post_run_cell", loop_repair.repair_loop), ("post_run_cell", cell_request.note_cell_ended))
_state: dict[int, dict[str, Any]] = {}  # per shell: the handler we chained to, and ours


def load_ipython_extension(shell) -> None:
    """Install the short error display and the hooks in ``shell``; called by ``%load_ext``."""
    if id(shell) in _state:
        return
    previous_types = tuple(shell.custom_exceptions)
    _install_short_errors(shell, previous_types, shell.CustomTB if previous_types else None)
    for event, hook in _HOOKS:
        if hook not in shell.events.callbacks[event]:
            shell.events.register(event, hook)
    if needs.skip_if_missing not in shell.input_transformers_post:
        shell.input_transformers_post.append(needs.skip_if_missing)
    loop_repair.remember_loop()  # the cell that loads us is already past its pre_run_cell
    cell_request.note_request()


def _install_short_errors(shell, previous_types: tuple, previous) -> None:
    """Handle LabError; hand every other exception of ``previous_types`` to ``previous``."""

    def short_error(shell, etype, value, tb, tb_offset=None):
        if issubclass(etype, LabError):  # ours win, even where the learner's types include a base class
            shell._showtraceback(etype, value, [f"\x1b[0;31m{etype.__name__}\x1b[0m: {value}"])
            return None
        stb = previous(etype, value, tb, tb_offset=tb_offset)  # the learner's own handler
        if LabError not in shell.custom_exceptions:  # it raised, and IPython dropped every handler
            _install_short_errors(shell, (), None)
        return stb

    shell.set_custom_exc(previous_types + (LabError,), short_error)
    _state[id(shell)] = {"types": previous_types, "previous": previous, "ours": shell.CustomTB}


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
    if needs.skip_if_missing in shell.input_transformers_post:
        shell.input_transformers_post.remove(needs.skip_if_missing)
    cell_request.forget_requests()


def loaded(shell=None) -> bool:
    """Whether the extension is loaded in ``shell`` and its error display still in place."""
    shell = shell if shell is not None else _shell()
    state = _state.get(id(shell)) if shell is not None else None
    return state is not None and shell.CustomTB is state["ours"]


def load_if_safe() -> bool:
    """Load the extension into the running IPython shell, if there is one; True when loaded.

    Not in plain Python (a script, a server process), and not when ``LABSUPPORT_NO_EXTENSION``
    is set to anything but ``0`` (in a notebook: ``%env LABSUPPORT_NO_EXTENSION=1`` before the
    import). Loading goes through IPython's extension manager, so ``%load_ext`` and
    ``%unload_ext`` know about it.
    """
    shell = _shell()
    if shell is None or os.environ.get("LABSUPPORT_NO_EXTENSION", "") not in ("", "0"):
        return False
    shell.extension_manager.load_extension("labsupport")
    return loaded(shell)


def _shell():
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python without IPython
        return None
    return get_ipython()
