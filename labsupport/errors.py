"""Every exception a learner can cause, each with a message that says what happened and what to do.

In a notebook these show as one short red message instead of a long traceback (the IPython
extension in :mod:`labsupport.kernel.extension` does that)::

    import labsupport
    labsupport.serve("not an app")   # ServeError: serve() needs a tornado.web.Application ...

Each one also subclasses the built-in exception in brackets, so ``except OSError`` still catches
a port in use::

    LabError
    ├── ServeError [TypeError]             serve() cannot make a server of its arguments
    ├── PortInUseError [OSError]           the fixed port asked for is taken
    ├── NoRunningLoopError [RuntimeError]  serve() or watch_loop() called where no event loop runs
    ├── ServerProcessError [RuntimeError]  a server process did not start, or died before it answered
    │   └── NginxError                     ... nginx: its first [emerg] line, an upstream not answering, no openssl
    ├── NginxMissingError [FileNotFoundError]  nginx is not installed (lesson 12)
    ├── LoadError [ValueError]             a measurement (load, sweep, the C10K demo) cannot run as asked
    │   ├── LoadTargetError                ... because its target is not this machine
    │   └── C10kError                      ... in the C10K demo: a bad count, the open-file limit
    ├── NotListeningError [ConnectionRefusedError]  no server listens where load() was sent
    ├── WatchdogError [ValueError]         watch_loop() was given a threshold or loop it cannot watch
    ├── CheckFailed [AssertionError]       an exercise check found a problem; the message has a hint
    ├── SolutionMarkerError [ValueError]   a solution's BEGIN/END SOLUTION markers do not match up
    └── GradingError [ValueError]          grade() was given something it cannot grade
"""

from __future__ import annotations

__all__ = ["C10kError", "CheckFailed", "GradingError", "LabError", "LoadError", "LoadTargetError", "NginxError",
           "NginxMissingError", "NoRunningLoopError", "NotListeningError", "PortInUseError", "ServeError",
           "ServerProcessError", "SolutionMarkerError", "WatchdogError"]


class LabError(Exception):
    """Base class for errors with a learner-facing message (shown without a traceback)."""


class ServeError(LabError, TypeError):
    """The arguments given to ``serve()`` cannot make a server (wrong app type, bad host...)."""


class PortInUseError(LabError, OSError):
    """The fixed port asked for is already taken."""


class NoRunningLoopError(LabError, RuntimeError):
    """``serve()`` (or ``watch_loop()``) was called where no asyncio event loop is running."""


class ServerProcessError(LabError, RuntimeError):
    """A server process did not start, or died before it answered."""


class NginxError(ServerProcessError):
    """nginx did not start: its first ``[emerg]`` line, an upstream that does not answer, no openssl."""


class NginxMissingError(LabError, FileNotFoundError):
    """``serve_nginx()`` was called where nginx is not installed."""


class LoadError(LabError, ValueError):
    """The arguments given to a measurement (``load()``, ``sweep()``, ``c10k``) cannot make a run."""


class LoadTargetError(LoadError):
    """A measurement was pointed at a host that is not this machine; raised before any connection."""


# A LoadError because it is one: the connections asked for cannot be opened. So one
# ``except LoadError`` catches every refusal from either tool, including LoadTargetError, which
# c10k.hold() raises through the same URL check as load() (and which is no C10kError).
class C10kError(LoadError):
    """The C10K demo cannot do what was asked (bad count, over the open-file limit, server gone...)."""


class NotListeningError(LabError, ConnectionRefusedError):
    """Every connection ``load()`` tried was refused: no server listens on that port."""


class WatchdogError(LabError, ValueError):
    """``watch_loop()`` was given a threshold or a loop it cannot watch (not a number, a closed loop...)."""


class CheckFailed(LabError, AssertionError):
    """A check found a problem; the message says what was expected, what came back, and a hint."""


class SolutionMarkerError(LabError, ValueError):
    """A solution notebook's ``### BEGIN/END SOLUTION`` markers or tags do not match up."""


class GradingError(LabError, ValueError):
    """``grade`` was given something it cannot grade (no notebooks, a missing folder...)."""
