"""Exceptions a learner can cause, each with a message that says what happened and what to do.

In a notebook these show as one short red message instead of a long traceback (the IPython
extension in :mod:`labsupport.kernel.extension` does that)::

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

