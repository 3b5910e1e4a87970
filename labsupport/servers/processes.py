"""Run a server in a separate Python process that is always cleaned up, children included.

Example::

    import labsupport
    proc = labsupport.serve_process("tests.apps:make_hello_app")   # module:factory
    proc.url                                                       # 'http://127.0.0.1:40213/'
    proc.stop()                                                    # the process group is gone

A command works too: ``serve_process([sys.executable, "-m", "todo", "--port={port}"])``.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from . import registry
from ..errors import PortInUseError, ServerProcessError
from .links import ServerStatus, browser_url, link_html, local_url
from .serving import check_host
from ..watch.request_log import RequestLog
from ..watch.request_view import RequestView

__all__ = ["ServerProcess", "serve_process"]

_POSIX = hasattr(os, "killpg")


class ServerProcess:
    """A server running in its own process group; made by :func:`serve_process`."""

    def __init__(self, *, name: str, popen: subprocess.Popen, host: str, port: int,
                 log_path: Path, origin: registry.Origin, grace: float = 3.0,
                 events_path: Path | None = None) -> None:
        self.name = name
        self.host = host
        self.port = port
        self.origin = origin
        self.pid = popen.pid
        self.grace = grace  # seconds the server gets to end after SIGTERM before it is killed
        self._popen = popen
        self._log_path = log_path
        self._final_log: str | None = None
        self._events_path = events_path  # JSON lines of requests, for a module:factory target
        self._view: RequestView | None = None
        self.status: ServerStatus = "starting"

    @property
    def url(self) -> str:
        """The URL to request from this kernel, e.g. ``http://127.0.0.1:40213/``."""
        return local_url(self.host, self.port)

    @property
    def browser_url(self) -> str:
        """The URL to open in the learner's browser (through the hub's proxy when there is one)."""
        return browser_url(self.port, host=self.host)

    def logs(self) -> str:
        """Everything the process printed (stdout and stderr), also after it stopped."""
        if self._final_log is not None:
            return self._final_log
        try:
            return self._log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def watch(self, *, limit: int = 200) -> RequestView:
        """Show the requests reaching this process: live in JupyterLab, as stable text elsewhere.

        A ``"module:factory"`` target reports each request's arrival and answer, and the
        blocks its loop watchdog saw; a command only its access-log lines (Tornado's default
        format), so what is in progress is not known. Calling it again returns the same view.
        """
        if self._view is not None and (self._view.status == "watching" or self.status == "stopped"):
            return self._view
        log = RequestLog(limit=limit)
        view = RequestView(self.name, log)
        if self._events_path is not None:
            from ..watch.loop_watchdog import BlockReport

            events = self._events_path
            view._poll = lambda: log.read_events(events, on_block=lambda report: view.add_block(BlockReport(**report)))
        else:
            view._poll = lambda: log.read_access_lines(self.logs())
        view.start()
        self._view = view
        return view

    def stop(self, *, timeout: float | None = None) -> None:
        """SIGTERM the whole process group, wait up to ``timeout`` s, then SIGKILL what is left.

        ``timeout`` is by default the ``grace`` given to :func:`serve_process`, plus 2 s.
        """
        if timeout is None:
            timeout = self.grace + 2.0
        if self.status == "stopped":
            return
        if self._view is not None:
            self._view.stop()  # reads what the process wrote last
        registry.forget(self)
        if _POSIX:
            _signal_group(self.pid, signal.SIGTERM)
        else:  # pragma: no cover - Windows
            self._popen.terminate()
        try:
            self._popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self._popen.kill()
            self._popen.wait()
        if _POSIX:  # whatever survived the supervisor (it should be nothing)
            _signal_group(self.pid, signal.SIGKILL)
        self._final_log = self.logs()  # keep the text, drop the temporary file
        self._log_path.unlink(missing_ok=True)
        if self._events_path is not None:
            self._events_path.unlink(missing_ok=True)
        self.status = "stopped"

    def _wait_until_answering(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._popen.poll() is not None:
                self.stop()
                raise ServerProcessError(
                    f"The server process {self.name!r} exited with code {self._popen.returncode} "
                    f"before it answered on port {self.port}. Its output ends with:\n{_tail(self.logs())}")
            try:
                socket.create_connection((self.host, self.port), timeout=0.25).close()
                self.status = "running"
                return
            except OSError:
                time.sleep(0.02)
        self.stop()
        raise ServerProcessError(
            f"The server process {self.name!r} did not answer on port {self.port} within {timeout:g} s, "
            f"so it was stopped. Its output ends with:\n{_tail(self.logs())}")

    def __repr__(self) -> str:
        return f"ServerProcess({self.name!r}, {self.url!r}, {self.status})"

    def _repr_html_(self) -> str:
        return link_html(self.name, self.browser_url, self.status, kind="separate process")


def serve_process(target: str | Sequence[str], *, name: str | None = None, port: int = 0,
                  host: str = "127.0.0.1", settings: dict | None = None, cwd: str | os.PathLike | None = None,
                  env: dict[str, str] | None = None, ready_timeout: float = 60.0,
                  grace: float = 3.0) -> ServerProcess:
    """Start a server in a separate process and wait until its port answers.

    ``target`` is ``"module:factory"`` (the factory returns a ``tornado.web.Application`` and
    gets ``settings`` as keyword arguments) or a command whose arguments may contain
    ``{port}``, ``{host}`` and ``{python}``. The process, and every process it starts, is
    stopped by ``stop()``, ``labsupport.stop_all()``, when the kernel exits and when the
    kernel dies. Re-running the cell replaces the earlier process. After SIGTERM, the server
    gets ``grace`` seconds to end by itself (a graceful shutdown) before it is killed.
    """
    check_host(host)
    name = name or (target.partition(":")[0] if isinstance(target, str) else Path(target[-1]).name)
    origin = registry.current_origin()
    name = registry.claim(name, origin)  # first: a re-run's earlier process may hold a fixed port
    try:
        process = _start(target, name=name, origin=origin, port=port, host=host, settings=settings,
                         cwd=cwd, env=env, grace=grace)
    except BaseException:
        registry.release(name)
        raise
    registry.add(process)
    process._wait_until_answering(ready_timeout)
    return process


def _start(target: str | Sequence[str], *, name: str, origin: registry.Origin, port: int, host: str,
           settings: dict | None, cwd: str | os.PathLike | None, env: dict[str, str] | None,
           grace: float) -> ServerProcess:
    port = port or _free_port(host)
    if registry.holder_of(port) is not None or _port_taken(host, port):
        raise PortInUseError(f"Port {port} on {host} is already in use. "
                             f"Use port=0 to let the system pick a free port.")
    events_path = None
    if isinstance(target, str):
        command = [sys.executable, "-m", "labsupport.servers.run_app", target, f"--port={port}",
                   f"--host={host}", f"--settings={json.dumps(settings or {})}"]
        events = tempfile.NamedTemporaryFile(prefix=f"labsupport-{port}-", suffix=".events", delete=False)
        events.close()
        events_path = Path(events.name)
        env = {**(env or {}), "LABSUPPORT_REQUEST_EVENTS": events.name}
    else:
        command = [part.format(port=port, host=host, python=sys.executable) for part in target]
    log = tempfile.NamedTemporaryFile(prefix=f"labsupport-{port}-", suffix=".log", delete=False)
    popen = subprocess.Popen(
        [sys.executable, "-m", "labsupport.servers.supervise", f"--grace={grace:g}", "--", *command],
        cwd=cwd, env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=_POSIX)
    log.close()
    return ServerProcess(name=name, popen=popen, host=host, port=port, log_path=Path(log.name), origin=origin,
                         grace=grace, events_path=events_path)


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _free_port(host: str) -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _port_taken(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=0.25).close()
        return True
    except OSError:
        return False


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:]) or "(no output)"
