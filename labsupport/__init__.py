"""Support code for the Tornado Lab course: serve apps from notebook cells, check a setup.

Example, in a notebook cell::

    import tornado.web, labsupport

    class MainHandler(tornado.web.RequestHandler):
        def get(self):
            self.write("Hello")

    server = labsupport.serve(tornado.web.Application([(r"/", MainHandler)]))
"""

from __future__ import annotations

from .doctor import DoctorReport, Finding, doctor
from .errors import (LabError, NginxError, NginxMissingError, NoRunningLoopError, PortInUseError, ServeError,
                     ServerProcessError)
from .exercises.check import CheckFailed, check
from .kernel import extension
from .kernel.extension import load_ipython_extension, unload_ipython_extension
from .kernel.nesting import allow_nested_loops, nested_loops_allowed
from .lesson_files import show_changes
from .measure.loadgen import LoadError, LoadResult, LoadTargetError, NotListeningError, RequestRecord, load, sweep
from .measure.profiling import profile_shares
from .plots.requests import plot_latency, plot_requests, plot_throughput
from .plots.steps import counts_over_time, plot_steps
from .plots.timeline import Span, plot_timeline, timed
from .servers.nginx import NginxProcess, nginx_available, serve_nginx
from .servers.processes import ServerProcess, serve_process
from .servers.registry import running, stop, stop_all
from .servers.serving import Server, serve
from .servers.todo import forget_todo, import_todo, serve_todo, sqlite_url
from .watch.loop_watchdog import BlockReport, LoopWatchdog, watch_loop
from .watch.request_view import RequestView

__all__ = [
    "BlockReport",
    "CheckFailed",
    "DoctorReport",
    "Finding",
    "GradingError",
    "LabError",
    "LoadError",
    "LoadResult",
    "LoadTargetError",
    "LoopWatchdog",
    "NginxError",
    "NginxMissingError",
    "NginxProcess",
    "NoRunningLoopError",
    "NotListeningError",
    "PortInUseError",
    "RequestRecord",
    "RequestView",
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
    "forget_todo",
    "grade",
    "import_todo",
    "load",
    "nested_loops_allowed",
    "nginx_available",
    "plot_latency",
    "plot_requests",
    "plot_steps",
    "plot_throughput",
    "plot_timeline",
    "profile_shares",
    "running",
    "serve",
    "serve_nginx",
    "serve_process",
    "serve_todo",
    "show_changes",
    "sqlite_url",
    "stop",
    "stop_all",
    "sweep",
    "timed",
    "watch_loop",
]

__version__ = "0.1.0"

# Grading pulls in nbformat (about 2 s to import here); load it on first use only, so that
# server processes, which import this package, start quickly.
_LAZY = {"GradingError": "exercises.grading", "grade": "exercises.grading", "Scoreboard": "exercises.scoreboard",
         "TaskResult": "exercises.scoreboard"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'labsupport' has no attribute {name!r}")

# In a notebook (IPython), load the extension: short errors, the loop repair. See labsupport.kernel.extension.
extension.load_if_safe()
