"""Exceptions a learner can cause, each with a message that says what happened and what to do.

In a notebook these show as one short red message instead of a long traceback::

    import labsupport
    labsupport.serve("not an app")   # ServeError: serve() needs a tornado.web.Application ...
"""

from __future__ import annotations

__all__ = ["LabError", "NoRunningLoopError", "PortInUseError", "ServeError", "ServerProcessError"]


class LabError(Exception):
    """Base class for errors with a learner-facing message (shown without a traceback)."""


class ServeError(LabError, TypeError):
    """The arguments given to ``serve()`` cannot make a server (wrong app type, bad host...)."""


class PortInUseError(LabError, OSError):
    """The fixed port asked for is already taken."""


class NoRunningLoopError(LabError, RuntimeError):
    """``serve()`` was called where no asyncio event loop is running."""


class ServerProcessError(LabError, RuntimeError):
    """A server process did not start, or died before it answered."""


def _short_traceback(shell, etype, value, tb, tb_offset=None):  # pragma: no cover - IPython hook
    """Show a LabError as its message alone; IPython calls this for LabError subclasses."""
    shell._showtraceback(etype, value, [f"\x1b[0;31m{etype.__name__}\x1b[0m: {value}"])


def _install_ipython_handler() -> None:
    """Register the short display for LabError when running under IPython; no-op elsewhere."""
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python without IPython
        return
    shell = get_ipython()
    if shell is not None:
        shell.set_custom_exc((LabError,), _short_traceback)
