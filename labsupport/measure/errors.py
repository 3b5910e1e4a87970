"""The exceptions the measurement tools raise: ``load()``, ``sweep()`` and the C10K demo.

Every one is a :class:`~labsupport.errors.LabError`, so a notebook shows its message without a
traceback::

    import labsupport
    try:
        await labsupport.load("http://example.com/", requests=10)
    except labsupport.LoadTargetError as exc:
        print(exc)   # load() only ever targets this machine (127.0.0.1, ::1 or localhost), ...
"""

from __future__ import annotations

from ..errors import LabError

__all__ = ["C10kError", "LoadError", "LoadTargetError", "NotListeningError"]


class LoadError(LabError, ValueError):
    """The arguments given to ``load()`` cannot make a load run (bad count, bad URL...)."""


class LoadTargetError(LoadError):
    """``load()`` was pointed at a host that is not this machine."""


class NotListeningError(LabError, ConnectionRefusedError):
    """Every connection ``load()`` tried was refused: no server listens on that port."""


class C10kError(LabError, ValueError):
    """The connections asked for cannot be opened (bad count, over the open-file limit...)."""
