"""Support code for the Tornado Lab course: serve apps from notebook cells, check a setup.

Example, in a notebook cell::

    import tornado.web, labsupport

    class MainHandler(tornado.web.RequestHandler):
        def get(self):
            self.write("Hello")

    server = labsupport.serve(tornado.web.Application([(r"/", MainHandler)]))
"""

from __future__ import annotations

from . import extension, kernel_loop
from .checking import CheckFailed, check
from .doctor import Check, DoctorReport, doctor
from .errors import LabError, NoRunningLoopError, PortInUseError, ServeError, ServerProcessError
from .loadgen import LoadError, LoadResult, LoadTargetError, NotListeningError, RequestRecord, load, sweep
from .extension import load_ipython_extension, unload_ipython_extension
from .nesting import allow_nested_loops, nested_loops_allowed
from .plots import plot_latency, plot_requests, plot_throughput
from .processes import ServerProcess, serve_process
from .registry import running, stop, stop_all
from .serving import Server, serve
from .steps import counts_over_time, plot_steps
from .timeline import Span, plot_timeline, timed
from .todo_process import serve_todo, sqlite_url

__all__ = [
    "Check",
    "CheckFailed",
    "DoctorReport",
    "GradingError",
    "LabError",
    "LoadError",
    "LoadResult",
    "LoadTargetError",
    "NoRunningLoopError",
    "NotListeningError",
    "PortInUseError",
    "RequestRecord",
    "Scoreboard",
    "ServeError",
    "Server",
    "ServerProcess",
    "ServerProcessError",
    "Span",
    "TaskResult",
    "allow_nested_loops",
    "check",
    "counts_over_time",
    "doctor",
    "grade",
    "load",
    "nested_loops_allowed",
    "plot_latency",
    "plot_requests",
    "plot_steps",
    "plot_throughput",
    "plot_timeline",
    "running",
    "serve",
    "serve_process",
    "serve_todo",
    "sqlite_url",
    "stop",
    "stop_all",
    "sweep",
    "timed",
]

__version__ = "0.1.0"

# Grading pulls in nbformat (about 2 s to import here); load it on first use only, so that
# server processes, which import this package, start quickly.
_LAZY = {"GradingError": "grading", "grade": "grading", "Scoreboard": "scoreboard", "TaskResult": "scoreboard"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'labsupport' has no attribute {name!r}")

# In a notebook (IPython), load the extension: short errors, the loop repair. See labsupport.extension.
extension.load_if_safe()
