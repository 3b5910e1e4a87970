"""Check a learner's setup and say, for each problem, the one line that fixes it.

In a notebook (lesson 00)::

    report = labsupport.doctor()     # versions, event loop, ports, proxy: a table
    await report.live_probe()        # a server started here answers another process
    labsupport.doctor(lesson=12)     # the same, plus what lesson 12 needs from the system (nginx)

From a terminal: ``python -m labsupport doctor`` (exit status 1 when something failed).
"""

from __future__ import annotations

import asyncio
import html
import importlib.metadata
import re
import shutil
import socket
import sys
import time
from dataclasses import dataclass
from typing import Literal

import tornado.web

from .kernel import loop_repair
from .kernel.nesting import nested_loops_allowed
from .paths import ROOT_VARIABLE, course_path
from .servers.links import proxy_available, proxy_prefix
from .servers.nginx import INSTALL_COMMAND, nginx_available
from .servers.serving import serve

__all__ = ["DoctorReport", "Finding", "Status", "doctor"]

_REQUIREMENTS = course_path("requirements.txt")
_KEY_PACKAGES = ("tornado", "ipykernel", "jupyterlab")
_TESTED_PYTHONS = ((3, 11), (3, 12), (3, 13))
IPYKERNEL_6_TESTED = "6.31.0"  # CI runs the kernel tests and lessons 01-02 on it too (.ci/ipykernel6.txt)
_MARK = {"ok": "✔", "warn": "⚠", "fail": "✘"}
_COLOUR = {"ok": "#1a7f37", "warn": "#9a6700", "fail": "#cf222e"}
Status = Literal["ok", "warn", "fail"]  # fine; works but differs from what was tested; fix it first


@dataclass(frozen=True)
class Finding:
    """One line of the report: what was checked, how it went, and the fix when it did not."""

    name: str
    status: Status
    detail: str
    fix: str = ""

    def __str__(self) -> str:
        fix = f"\n      fix: {self.fix}" if self.fix else ""
        return f"{_MARK[self.status]} {self.name}: {self.detail}{fix}"


class DoctorReport(list):
    """The list of :class:`Finding` results, shown as a table in a notebook."""

    def __init__(self, checks, probe: "_Probe | None" = None) -> None:
        super().__init__(checks)
        self._probe = probe

    @property
    def ok(self) -> bool:
        """True when no check failed (warnings allowed)."""
        return all(check.status != "fail" for check in self)

    async def live_probe(self, *, timeout: float = 10.0) -> "DoctorReport":
        """Wait for the live probe started by :func:`doctor` and add its result to the report."""
        if self._probe is None:
            raise RuntimeError("This report has no live probe: doctor() runs one only inside a "
                               "notebook (or any code with a running event loop).")
        check = await self._probe.result(timeout)
        self[:] = [c for c in self if c.name != check.name] + [check]
        return self

    def __str__(self) -> str:
        return "\n".join(str(check) for check in self)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        rows = "".join(
            f'<tr><td style="color:{_COLOUR[c.status]}">{_MARK[c.status]}</td>'
            f"<td style='text-align:left'>{html.escape(c.name)}</td>"
            f"<td style='text-align:left'>{html.escape(c.detail)}</td>"
            f"<td style='text-align:left'><code>{html.escape(c.fix)}</code></td></tr>" for c in self)
        return ("<table><tr><th></th><th style='text-align:left'>check</th>"
                "<th style='text-align:left'>result</th><th style='text-align:left'>fix</th></tr>"
                f"{rows}</table>")


def doctor(*, lesson: int | None = None) -> DoctorReport:
    """Run the setup checks; inside a notebook also start the live probe (see ``live_probe``).

    ``lesson`` adds the checks of what that lesson alone needs from the system, such as nginx
    for lesson 12; they warn, never fail, since every other lesson runs without it.
    """
    checks = [_check_python(), *_check_packages(), _check_loop(), _check_windows(),
              _check_nesting(), _check_free_port(), _check_proxy(),
              *(check() for check in _LESSON_CHECKS.get(lesson, ()))]
    probe = None
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        probe = _Probe()
    return DoctorReport(checks, probe)


def _check_python() -> Finding:
    version = ".".join(map(str, sys.version_info[:3]))
    if loop_repair.affected():
        return Finding("Python", "warn", f"{version} has CPython bug gh-130145: a failed attempt to start a "
                     "second event loop in a cell (Tornado's HTTPClient) unregisters the kernel's loop; "
                     "labsupport repairs it after each cell", "upgrade to Python 3.13.3 or newer")
    if sys.version_info[:2] in _TESTED_PYTHONS:
        return Finding("Python", "ok", f"{version} (tested: 3.11, 3.12, 3.13)")
    return Finding("Python", "warn", f"{version} is not one the course was tested on",
                 "use Python 3.11, 3.12 or 3.13 for the .venv (see README)")


def _tested_pins() -> dict[str, str]:
    if not _REQUIREMENTS.exists():
        return {}
    pins = {}
    for line in _REQUIREMENTS.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==([^\s;#]+)", line.strip())
        if match:
            pins[match.group(1).lower()] = match.group(2)
    return pins


def _check_packages() -> list[Finding]:
    pins = _tested_pins()
    if not pins:
        return [Finding("packages", "warn", f"{_REQUIREMENTS} not found; versions not compared",
                      f"pip install -e a clone of the course, or set {ROOT_VARIABLE} to its folder")]
    fix = "python3 course.py setup  (or: pip install -r requirements.txt)"
    checks, others = [], []
    for name, pinned in pins.items():
        if name == "nest-asyncio" and sys.version_info >= (3, 12):
            continue  # 3.12+ uses nest-asyncio2
        try:
            installed = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            installed = None
        if name == "ipykernel" and installed is not None and installed != pinned:
            checks.append(_check_ipykernel(installed, pinned, fix))
        elif name in _KEY_PACKAGES:
            if installed is None:
                checks.append(Finding(name, "fail", f"not installed (tested: {pinned})", fix))
            elif installed != pinned:
                checks.append(Finding(name, "warn", f"{installed}, but the course was tested with {pinned}", fix))
            else:
                checks.append(Finding(name, "ok", installed))
        elif installed != pinned:
            others.append(f"{name} {installed or 'missing'} (tested {pinned})")
    if others:
        status = "fail" if any("missing" in o for o in others) else "warn"
        checks.append(Finding("other pins", status, "; ".join(others), fix))
    else:
        checks.append(Finding("other pins", "ok", f"all {len(pins) - len(_KEY_PACKAGES)} match requirements.txt"))
    return checks


def _check_ipykernel(installed: str, pinned: str, fix: str) -> Finding:
    """ipykernel 6 works (CI runs part of the course on it); older cannot tell notebook cells apart."""
    major = int(re.match(r"\d+", installed).group()) if re.match(r"\d+", installed) else 0
    if major < 6:
        return Finding("ipykernel", "fail", f"{installed} is too old: labsupport needs ipykernel 6 or newer "
                       "(it tells notebook cells apart with kernel.get_parent())", fix)
    if installed == IPYKERNEL_6_TESTED:
        return Finding("ipykernel", "warn", f"{installed} works: CI runs the kernel tests and lessons 01-02 on it, "
                       f"and the rest of the course on {pinned}, the pinned version", fix)
    return Finding("ipykernel", "warn", f"{installed}; the course was tested with ipykernel {pinned} and "
                   f"{IPYKERNEL_6_TESTED}", fix)


def _check_loop() -> Finding:
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return Finding("event loop", "ok", "none running here (normal in a terminal; a notebook kernel runs one)")
    return Finding("event loop", "ok", f"{type(loop).__name__} running in this thread: servers can live on it")


def _check_windows() -> Finding:
    if sys.platform != "win32":
        return Finding("Windows loop note", "ok", "not Windows: nothing to do")
    return Finding("Windows loop note", "warn",
                 "Windows' default ProactorEventLoop lacks add_reader; Tornado 6.1+ runs its "
                 "sockets on a helper thread, which works but adds latency to timings",
                 "nothing required; for cleaner timings use WSL")


def _check_nesting() -> Finding:
    if nested_loops_allowed():
        return Finding("nest_asyncio", "ok", "applied in this process (appendix 02a explains what it changes)")
    return Finding("nest_asyncio", "ok", "not applied (the default; appendix 02a applies it on purpose)")


def _check_free_port() -> Finding:
    try:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
    except OSError as exc:
        return Finding("free port", "fail", f"cannot bind a free port on 127.0.0.1: {exc}",
                     "check that the loopback interface is up and not firewalled")
    return Finding("free port", "ok", "the system hands out free ports on 127.0.0.1")


def _check_proxy() -> Finding:
    prefix = proxy_prefix()
    if prefix is None:
        return Finding("proxy", "ok", "no JupyterHub/Binder proxy: links open http://127.0.0.1:PORT/ directly")
    if not proxy_available():
        return Finding("proxy", "fail", f"running behind {prefix} but jupyter-server-proxy is not "
                     "installed, so links to lesson servers will not open",
                     "pip install jupyter-server-proxy==4.6.0 in the Jupyter server's environment")
    return Finding("proxy", "ok", f"links go through {prefix}proxy/PORT/ (jupyter-server-proxy)")


def _check_nginx() -> Finding:
    """Only lesson 12 needs nginx (and openssl, for its certificate): a missing one is a warning."""
    version = nginx_available()
    if version is None:
        return Finding("nginx", "warn", "not installed; only lesson 12 needs it (nginx in front of the to-do app)",
                       INSTALL_COMMAND.format("nginx"))
    version = version.removeprefix("nginx version: ")
    if shutil.which("openssl") is None:
        return Finding("nginx", "warn", f"{version}, but openssl is missing: lesson 12 needs it for a "
                       "certificate", INSTALL_COMMAND.format("openssl"))
    return Finding("nginx", "ok", f"{version} and openssl, for lesson 12")


_LESSON_CHECKS = {12: (_check_nginx,)}  # lesson: the checks doctor(lesson=...) adds


class _ProbeHandler(tornado.web.RequestHandler):
    def get(self) -> None:
        self.write("probe ok")


# Run in a child process: wait until the notebook cell that started the probe has finished,
# then request the server from outside the kernel.
_PROBE_CLIENT = (
    "import sys, time, urllib.request\n"
    "time.sleep(float(sys.argv[2]))\n"
    "start = time.perf_counter()\n"
    "body = urllib.request.urlopen(sys.argv[1], timeout=5).read().decode()\n"
    "print(body, round((time.perf_counter() - start) * 1000, 1))\n")


class _Probe:
    """A server on this kernel's loop plus a child process that requests it after a delay."""

    name = "live probe"

    def __init__(self, delay: float = 0.3) -> None:

        self._server = serve(tornado.web.Application([(r"/", _ProbeHandler)]), name="doctor-probe")
        self._started = time.perf_counter()
        self._child = asyncio.ensure_future(asyncio.create_subprocess_exec(
            sys.executable, "-c", _PROBE_CLIENT, self._server.url, str(delay),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE))

    async def result(self, timeout: float) -> Finding:
        try:
            child = await self._child
            out, err = await asyncio.wait_for(child.communicate(), timeout)
        except asyncio.TimeoutError:
            child.kill()
            return Finding(self.name, "fail", f"no answer within {timeout:g} s: the kernel's loop is not "
                         "serving while idle", "update ipykernel to the pinned version and restart the kernel")
        finally:
            await self._server.aclose()
        if child.returncode != 0 or not out.startswith(b"probe ok"):
            reason = err.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
            return Finding(self.name, "fail", f"the request from another process failed: {reason[0]}",
                         "restart the kernel; if it persists, run python -m labsupport doctor in a terminal")
        return Finding(self.name, "ok", "a server started in this kernel answered a request from another "
                     "process after the cell had finished")
