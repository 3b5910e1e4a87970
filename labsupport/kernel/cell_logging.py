"""Show Tornado's warnings and errors (4xx/5xx requests, handler crashes) under the cell that ran.

``serve()`` calls :func:`show_tornado_warnings` once, so a notebook prints, for example::

    WARNING tornado.access: 404 GET /missing (127.0.0.1) 0.41ms

whatever logging the kernel was started with. Logging the learner set up is left alone.
The one 404 every browser causes, for ``/favicon.ico`` when a learner opens a link, is not shown.
:func:`show_warnings_of` does the same for another logger (the loop watchdog's, for one).
"""

from __future__ import annotations

import logging
import sys

__all__ = ["show_tornado_warnings", "show_warnings_of"]


class _CurrentStderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time, i.e. the output of the running cell."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.setLevel(logging.WARNING)
        self.addFilter(_not_the_browsers_favicon)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:  # StreamHandler.__init__ assigns it; we always use sys.stderr
        pass


def _not_the_browsers_favicon(record: logging.LogRecord) -> bool:
    """False for Tornado's access line of a 404 on /favicon.ico (``log_request``'s args: status, summary, ms)."""
    args = record.args if isinstance(record.args, tuple) else ()
    return not (record.name == "tornado.access" and len(args) == 3 and args[0] == 404
                and str(args[1]).startswith("GET /favicon.ico "))


def show_tornado_warnings() -> bool:
    """Route Tornado's warnings and errors to the current cell; True if installed by this call.

    The handler goes on Tornado's three loggers (access, application, general), not on
    ``tornado``: ipykernel puts its own handler there, writing to the process's stderr, whose
    output reaches the notebook late and out of order.
    """
    return any([show_warnings_of(name) for name in _TORNADO_LOGGERS])


def show_warnings_of(name: str) -> bool:
    """Route the warnings and errors of logger ``name`` to the current cell; True if installed by this call."""
    logger = logging.getLogger(name)
    if logger.handlers:  # ours already, or configured by the learner
        return False
    logger.addHandler(_HANDLER)
    logger.propagate = False  # one line per event, whatever handlers the parents have
    return True


_TORNADO_LOGGERS = ("tornado.access", "tornado.application", "tornado.general")
_HANDLER = _CurrentStderrHandler()
