"""Support code for the Tornado Lab course: serve apps from notebook cells, check a setup.

Example, in a notebook cell::

    import tornado.web, labsupport

    class MainHandler(tornado.web.RequestHandler):
        def get(self):
            self.write("Hello")

    server = labsupport.serve(tornado.web.Application([(r"/", MainHandler)]))
"""

from __future__ import annotations

from . import kernel_loop
from .checking import CheckFailed, check
from .doctor import Check, DoctorReport, doctor
from .errors import LabError, NoRunningLoopError, PortInUseError, ServeError, ServerProcessError
from .errors import _install_ipython_handler
from .grading import GradingError, grade
from .nesting import allow_nested_loops, nested_loops_allowed
from .processes import ServerProcess, serve_process
from .registry import running, stop, stop_all
from .scoreboard import Scoreboard, TaskResult
from .serving import Server, serve
from .timeline import Span, plot_timeline, timed

__all__ = [
    "Check",
    "CheckFailed",
    "DoctorReport",
    "GradingError",
    "LabError",
    "NoRunningLoopError",
    "PortInUseError",
    "Scoreboard",
    "ServeError",
    "Server",
    "ServerProcess",
    "ServerProcessError",
    "Span",
    "TaskResult",
    "allow_nested_loops",
    "check",
    "doctor",
    "grade",
    "nested_loops_allowed",
    "plot_timeline",
    "running",
    "serve",
    "serve_process",
    "stop",
    "stop_all",
    "timed",
]

__version__ = "0.1.0"

_install_ipython_handler()
kernel_loop.install()
