"""The exceptions the measurement tools raise: ``load()``, ``sweep()`` and the C10K demo.

Every one is a :class:`~labsupport.errors.LabError`, so a notebook shows its message without a
traceback. ``except LoadError`` catches every refusal of a measurement that cannot run::

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
    """The arguments given to a measurement (``load()``, ``sweep()``, ``c10k``) cannot make a run."""


class LoadTargetError(LoadError):
    """A measurement was pointed at a host that is not this machine; raised before any connection."""


class NotListeningError(LabError, ConnectionRefusedError):
    """Every connection ``load()`` tried was refused: no server listens on that port."""


# A LoadError because it is one: the connections asked for cannot be opened. So one
# ``except LoadError`` catches every refusal from either tool, including LoadTargetError, which
# c10k.hold() raises through the same URL check as load() (and which is no C10kError).
class C10kError(LoadError):
    """The C10K demo cannot do what was asked (bad count, over the open-file limit, server gone...)."""
