"""Drive a real JupyterLab in headless Chromium: open a notebook, Run All, save, read what was saved.

Used by ``tests/test_jupyterlab.py``. Three parts:

- :func:`copy_course` makes a throwaway copy of the course (the working tree as it is, tracked and
  untracked-but-not-ignored files) and clears the outputs of the notebooks to be run;
- :class:`LabServer` runs ``.venv/bin/jupyter lab`` on that copy: loopback only, a free port, a
  random token, Jupyter's config, data, runtime, settings and workspace folders in a temporary
  folder, no news or update checks;
- :class:`Lab` is a Playwright page on that server; it calls JupyterLab's own commands
  (``docmanager:open``, ``notebook:run-all-cells``, ``notebook:run-cell``, ``docmanager:save``,
  ``notebook:shutdown-kernel``) through ``window.jupyterapp`` (``--LabApp.expose_app_in_browser``),
  so the kernel gets exactly the messages a learner's clicks send, cell ids included.

:func:`saved_problems` is the verdict on a saved notebook: every code cell ran, and no error output
except where one is expected (``raises-exception`` cells; ``check`` cells of a learner copy).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import nbformat
import psutil

from .browser import CHROMIUM, FLAGS

ROOT = Path(__file__).resolve().parent.parent
JUPYTER = ROOT / ".venv" / "bin" / "jupyter"
LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


# --- the verdict on a saved notebook -------------------------------------------------------------

def error_text(output) -> str:
    """An error output as plain text: ename, evalue and traceback, colours stripped."""
    return ANSI.sub("", "\n".join([f"{output.get('ename')}: {output.get('evalue')}", *output.get("traceback", [])]))


def _first_line(cell) -> str:
    lines = [line for line in cell.source.splitlines() if line.strip()]
    return (lines[0][:70] if lines else "<empty>").strip()


def saved_problems(notebook, name: str, *, learner: bool = False) -> list[str]:
    """What is wrong with a notebook JupyterLab has run and saved; [] when nothing is.

    Every code cell must have an execution_count (Run All stops at the first real error, so the
    cells after it have none). No cell may hold an error output, except cells tagged
    ``raises-exception`` and, when ``learner`` (a learner copy of an exercise), cells tagged
    ``check``, which must hold one saying "not done yet". Cells are numbered as in
    ``notebook.cells`` (markdown included), the index nbformat and nbval use.
    """
    problems, unrun = [], []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        tags = cell.get("metadata", {}).get("tags", [])
        errors = [out for out in cell.get("outputs", []) if out.get("output_type") == "error"]
        where, source = f"{name}: cell {index}", f"  (cell {index} starts {_first_line(cell)!r})"
        if cell.get("execution_count") is None:
            unrun.append(index)
        if learner and "check" in tags:
            if not errors:
                problems.append(f"{where}: this check cell shows no error; a learner copy's check must say "
                                f"'not done yet'{source}")
            elif not any("not done yet" in error_text(out) for out in errors):
                out = errors[0]
                problems.append(f"{where}: this check cell raised {out.get('ename')}: {out.get('evalue')} "
                                f"instead of 'not done yet'{source}")
        elif errors and "raises-exception" not in tags:
            for out in errors:
                problems.append(f"{where} raised {out.get('ename')}: {out.get('evalue')}{source}")
    if unrun:
        which = f"cell {unrun[0]}" if len(unrun) == 1 else f"cells {', '.join(map(str, unrun))}"
        problems.append(f"{name}: {len(unrun)} code cell(s) never ran (no execution_count): {which}"
                        + (" (Run All stops at the first error)" if problems else ""))
    return problems


def read_problems(path: Path, name: str, *, learner: bool = False) -> list[str]:
    return saved_problems(nbformat.read(path, as_version=4), name, learner=learner)


# --- the course copy ----------------------------------------------------------------------------

def course_files(root: Path = ROOT) -> list[str]:
    """Tracked files plus untracked ones that .gitignore does not exclude, as in the working tree."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=root, check=True, capture_output=True).stdout.decode()
    return sorted({name for name in listed.split("\0") if name})


def copy_course(dest: Path, *, clear: list[str], root: Path = ROOT) -> Path:
    """Copy the course's working tree to ``dest``; clear outputs and counts of the ``clear`` notebooks."""
    for name in course_files(root):
        source = root / name
        if not source.exists() and not source.is_symlink():
            continue  # tracked, but deleted in the working tree
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)
    for name in clear:
        path = dest / name
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                cell.outputs = []
                cell.execution_count = None
        nbformat.write(notebook, path)
    return dest


# --- the Jupyter server -------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def log_tail(path: Path, lines: int = 40) -> str:
    """The last ``lines`` lines of a server's log, for an error message."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def wait_until_answers(process: subprocess.Popen, probe, name: str, log_path: Path, *, timeout: float) -> None:
    """Call ``probe()`` until it stops raising OSError; fail with the log's tail if ``process`` exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}:\n{log_tail(log_path)}")
        try:
            probe()
            return
        except (OSError, urllib.error.URLError):
            time.sleep(0.3)
    raise RuntimeError(f"{name} did not answer within {timeout:.0f} s:\n{log_tail(log_path)}")


# Pre-set user settings: JupyterLab asks about (and could fetch) news and updates otherwise.
SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/extensionmanager-extension/plugin.jupyterlab-settings": {"enabled": False},
}


class LabServer:
    """``jupyter lab`` from the project's venv, serving ``root``; :meth:`stop` ends it and all under it."""

    def __init__(self, root: Path, home: Path, *, ready_timeout: float = 90) -> None:
        self.root, self.home = Path(root), Path(home)
        self.port, self.token = free_port(), secrets.token_hex(24)
        self.url = f"http://127.0.0.1:{self.port}/"
        dirs = {name: self.home / name for name in ("config", "data", "runtime", "settings", "workspaces", "ipython")}
        for folder in dirs.values():
            folder.mkdir(parents=True, exist_ok=True)
        for name, values in SETTINGS.items():
            path = dirs["settings"] / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        env = {key: value for key, value in os.environ.items()
               if key not in {"JUPYTERHUB_SERVICE_PREFIX", "LABSUPPORT_PROXY_PREFIX", "LABSUPPORT_NO_EXTENSION",
                              "JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "PYTEST_CURRENT_TEST"}}
        env.update({
            "TORNADO_LAB_ROOT": str(self.root),
            # The copy's labsupport, not the editable install's (/work/main): the copy is the course under test.
            "PYTHONPATH": os.pathsep.join([str(self.root), *filter(None, [os.environ.get("PYTHONPATH")])]),
            "JUPYTER_CONFIG_DIR": str(dirs["config"]), "JUPYTER_DATA_DIR": str(dirs["data"]),
            "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]), "JUPYTERLAB_SETTINGS_DIR": str(dirs["settings"]),
            "JUPYTERLAB_WORKSPACES_DIR": str(dirs["workspaces"]), "IPYTHONDIR": str(dirs["ipython"]),
            "PYTHONUNBUFFERED": "1",
        })
        import course  # the lab command's own arguments (course.py, next to tests/), with the copy as root

        args = [str(JUPYTER), "lab", *course.lab_arguments(self.root), "--no-browser", f"--ServerApp.port={self.port}",
                "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
                "--LabApp.expose_app_in_browser=True",
                "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                "--LabApp.extension_manager=readonly", "--ServerApp.open_browser=False"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            args.append("--allow-root")
        self.log_path = self.home / "jupyter-lab.log"
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(args, cwd=self.root, env=env, stdin=subprocess.DEVNULL,
                                        stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        self.psutil = psutil.Process(self.process.pid)
        try:
            self._wait_ready(ready_timeout)
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self, timeout: float) -> None:
        wait_until_answers(self.process, lambda: self.api("GET", "api/status"), "jupyter lab", self.log_path,
                           timeout=timeout)

    def log_tail(self, lines: int = 40) -> str:
        return log_tail(self.log_path, lines)

    def api(self, method: str, path: str, body=None, timeout: float = 30):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Authorization": f"token {self.token}",
                                                  "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
        return json.loads(raw) if raw else None

    def kernels(self) -> list[dict]:
        return self.api("GET", "api/kernels")

    def descendants(self) -> list[psutil.Process]:
        try:
            return self.psutil.children(recursive=True)
        except psutil.NoSuchProcess:
            return []

    def stop(self) -> None:
        """Ask the server to shut down (it shuts its kernels down), then kill whatever is left."""
        if getattr(self, "_stopped", False):
            return
        self._stopped = True
        seen = self.descendants()
        if self.process.poll() is None:
            try:
                self.api("POST", "api/shutdown", timeout=10)
            except Exception:
                self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                pass
        end_process_tree(self.process, self.psutil, seen + self.descendants())
        self._log.close()


def end_process_tree(process: subprocess.Popen, main: psutil.Process, seen: list[psutil.Process]) -> None:
    """Kill ``main`` and every process in ``seen`` that still runs, then whatever is left in ``process``'s session."""
    for proc in dict.fromkeys([main, *seen]):
        try:
            proc.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(list(dict.fromkeys([main, *seen])), timeout=10)
    try:
        os.killpg(process.pid, signal.SIGKILL)  # anything reparented but still in its session
    except OSError:
        pass
    process.wait(10)


@contextlib.contextmanager
def chromium():
    """Playwright and Debian's Chromium, headless; both stopped afterwards, also on failure."""
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = launch_browser(playwright)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


# --- the page -----------------------------------------------------------------------------------

def alive(processes) -> list[psutil.Process]:
    """Those of ``processes`` still running (same pid and start time), zombies excepted."""
    left = []
    for proc in processes:
        try:
            if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                left.append(proc)
        except psutil.Error:
            pass
    return left


def describe(proc: psutil.Process) -> str:
    try:
        return f"{proc.pid} ({' '.join(proc.cmdline()[:4])})"
    except psutil.Error:
        return str(proc.pid)


# JavaScript run in the page. window.__tl holds the notebook being driven and the running command.
JS_SETUP = """() => {
  window.__tl = {
    widget: null, command: null,
    status() {
      const w = this.widget;
      if (!w) return {open: false};
      const session = w.sessionContext.session, kernel = session && session.kernel;
      const cells = w.content.widgets;
      const running = [], queued = [];
      cells.forEach((cell, index) => {
        if (cell.model.type !== 'code') return;
        const prompt = cell.node.querySelector('.jp-InputPrompt');
        const text = prompt ? prompt.textContent : '';
        if (text.includes('*')) running.push(index);
        else if (cell.model.executionState === 'running') queued.push(index);
      });
      return {open: true, ready: w.context.isReady && w.sessionContext.isReady,
              kernel: kernel ? kernel.status : null, connection: kernel ? kernel.connectionStatus : null,
              kernelId: kernel ? kernel.id : null, sessionId: session ? session.id : null,
              dirty: w.context.model.dirty, running, queued,
              command: this.command, dialogs: document.querySelectorAll('.jp-Dialog').length};
    },
    start(id, args) {
      const app = window.jupyterapp;
      app.shell.activateById(this.widget.id);
      const record = {id, done: false, result: null, error: null, started: performance.now(), ms: null};
      this.command = record;
      app.commands.execute(id, args || {}).then(
        result => { record.done = true; record.result = (result === undefined ? null : result);
                    record.ms = performance.now() - record.started; },
        error => { record.done = true; record.error = String(error && (error.stack || error));
                   record.ms = performance.now() - record.started; });
    },
  };
  return true;
}"""

JS_OPEN = """async (path) => {
  const app = window.jupyterapp;
  await app.started; await app.restored;
  const widget = await app.commands.execute('docmanager:open', {path, factory: 'Notebook'});
  await widget.context.ready;
  await widget.sessionContext.ready;
  app.shell.activateById(widget.id);
  window.__tl.widget = widget;
  return widget.id;
}"""

JS_CLOSE_ALL = """async () => {
  const app = window.jupyterapp;
  for (const dialog of document.querySelectorAll('.jp-Dialog')) {
    const cancel = dialog.querySelector('.jp-mod-reject'); if (cancel) cancel.click();
  }
  const widgets = Array.from(app.shell.widgets('main')).filter(w => w.context);
  for (const w of widgets) w.dispose();
  window.__tl.widget = null; window.__tl.command = null;
  return widgets.length;
}"""


class Watch:
    """The processes seen under the Jupyter server while one notebook ran: its kernel and all it started.

    Kernels run in a session of their own (jupyter_client starts them with ``setsid``); a process
    a kernel starts stays in that session even when it double-forks away from the process tree,
    so :meth:`leftovers` also looks for living processes in the sessions of the kernels seen.
    """

    def __init__(self, server: LabServer) -> None:
        self.server = server
        self.seen: dict[int, psutil.Process] = {}
        self.names: dict[int, str] = {}
        self.kernels: set[int] = set()

    def snapshot(self) -> None:
        for proc in self.server.descendants():
            if proc.pid in self.seen:
                continue
            self.seen[proc.pid] = proc
            self.names[proc.pid] = describe(proc)
            try:
                if proc.ppid() == self.server.process.pid and "ipykernel" in " ".join(proc.cmdline()):
                    self.kernels.add(proc.pid)
            except psutil.Error:
                pass

    def leftovers(self) -> list[psutil.Process]:
        left = {proc.pid: proc for proc in alive(self.seen.values())}
        for proc in psutil.process_iter():
            try:
                if proc.pid not in left and os.getsid(proc.pid) in self.kernels:
                    left[proc.pid] = proc
            except (OSError, psutil.Error):
                pass
        return alive(left.values())


@dataclass
class Run:
    """What one command (Run All, or one cell) took."""
    seconds: float


class Lab:
    """A JupyterLab page in a Playwright browser context."""

    def __init__(self, browser, server: LabServer, *, viewport=(1280, 900), timeout_ms: int = 60_000,
                 wait: bool = True) -> None:
        """Open JupyterLab in a new browser context; with ``wait=False``, call :meth:`ready` later
        (several pages then load at the same time)."""
        self.server, self.viewport, self.timeout_ms = server, {"width": viewport[0], "height": viewport[1]}, timeout_ms
        self.context = browser.new_context(viewport=self.viewport)
        self.context.set_default_timeout(timeout_ms)
        self.outside: list[str] = []  # requests the page tried to send off the machine
        self.context.on("request", self._record)
        self.page = self.context.new_page()
        if hasattr(server, "sign_in"):  # a learner on a hub logs in on its form first
            server.sign_in(self.page)
        self.page.goto(getattr(server, "lab_url", None) or f"{server.url}lab?token={server.token}&reset",
                       wait_until="load" if wait else "commit")
        if wait:
            self.ready()

    def ready(self) -> None:
        """Wait until JupyterLab has started and restored its layout, then install the test's helpers."""
        self.page.wait_for_function("() => window.jupyterapp && window.jupyterapp.commands", timeout=self.timeout_ms)
        self.page.evaluate("async () => { await window.jupyterapp.started; await window.jupyterapp.restored; }")
        self.page.evaluate(JS_SETUP)

    def _record(self, request) -> None:
        from urllib.parse import urlsplit

        parts = urlsplit(request.url)
        if parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname not in LOOPBACK:
            self.outside.append(request.url)

    def close(self) -> None:
        self.context.close()

    # notebook lifecycle
    def open(self, path: str, *, timeout: float = 90) -> dict:
        """Open ``path`` (relative to the server's root) as a notebook; wait for an idle kernel."""
        self.page.evaluate(JS_CLOSE_ALL)
        for kernel in self.server.kernels():  # left by an earlier notebook that failed half-way
            self.server.api("DELETE", f"api/kernels/{kernel['id']}")
        self.watch, self.path = Watch(self.server), path
        self.page.evaluate(JS_OPEN, path)
        status = self.wait(lambda s: s["ready"] and s["kernel"] == "idle" and s["connection"] == "connected",
                           timeout, f"the kernel of {path} to be idle")
        self.watch.snapshot()
        return status

    def status(self) -> dict:
        return self.page.evaluate("() => window.__tl.status()")

    def wait(self, done, timeout: float, what: str, *, poll: float = 0.25, on_poll=None) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            status = self.status()
            if on_poll:
                on_poll(status)
            if done(status):
                return status
            where = getattr(self, "path", "JupyterLab")
            if status.get("kernel") in {"dead", "autorestarting", "restarting"}:
                raise RuntimeError(f"{where}: the kernel is {status['kernel']} while waiting for {what} "
                                   f"(cells running: {status.get('running')}); see {self.server.log_path}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{where}: gave up after {timeout:.0f} s waiting for {what}; cells still at [*] "
                                   f"(the first one runs, the others wait): {status.get('running')}; "
                                   f"queued: {status.get('queued')}; last status: "
                                   f"{json.dumps({k: status.get(k) for k in ('kernel', 'command', 'dialogs')})}")
            self.page.wait_for_timeout(poll * 1000)  # lets Playwright handle events meanwhile

    def command(self, command_id: str, *, timeout: float, what: str, args: dict | None = None) -> Run:
        """Run a JupyterLab command on the open notebook; wait until it and every cell it started are done."""
        self.start_command(command_id, args=args)
        return self.finish_command(timeout=timeout, what=what)

    def start_command(self, command_id: str, *, args: dict | None = None) -> None:
        """Start a JupyterLab command and return at once (several pages can run at the same time)."""
        self._started, self._command_id = time.monotonic(), command_id
        self.page.evaluate("([id, args]) => window.__tl.start(id, args)", [command_id, args])

    def finish_command(self, *, timeout: float, what: str) -> Run:
        """Wait for the command :meth:`start_command` started, and every cell it started, to be done."""
        started, command_id = self._started, self._command_id
        status = self.wait(lambda s: s["command"]["done"] and not s["running"] and not s["queued"]
                           and s["kernel"] == "idle", timeout, what, on_poll=lambda _: self.watch.snapshot())
        seconds = time.monotonic() - started
        self.watch.snapshot()
        if status["command"]["error"]:
            raise RuntimeError(f"JupyterLab's {command_id} failed: {status['command']['error']}")
        if status["dialogs"]:
            raise RuntimeError(f"a dialog is open after {command_id}: {self.dialog_text()}")
        return Run(seconds)

    def dialog_text(self) -> str:
        return " | ".join(self.page.locator(".jp-Dialog").all_inner_texts())

    def run_all(self, *, timeout: float) -> Run:
        return self.command("notebook:run-all-cells", timeout=timeout, what="Run All to finish")

    def run_cell(self, index: int, *, timeout: float) -> Run:
        """Select cell ``index`` and run it as Ctrl+Enter does (``notebook:run-cell``)."""
        self.page.evaluate("(index) => { const w = window.__tl.widget; w.content.activeCellIndex = index; "
                           "w.content.deselectAll(); }", index)
        return self.command("notebook:run-cell", timeout=timeout, what=f"cell {index} to finish")

    def save(self, *, timeout: float = 30) -> None:
        self.page.evaluate("() => window.__tl.start('docmanager:save')")
        self.wait(lambda s: s["command"]["done"] and not s["dirty"], timeout, "the notebook to be saved")
        status = self.status()
        if status["command"]["error"]:
            raise RuntimeError(f"docmanager:save failed: {status['command']['error']}")
        if status["dialogs"]:
            raise RuntimeError(f"a dialog is open after saving: {self.dialog_text()}")

    def shutdown_kernel(self, *, timeout: float = 30, grace: float = 10) -> list[str]:
        """Shut the kernel down with JupyterLab's own command (Kernel > Shut Down Kernel).

        Waits until the server no longer lists the kernel, then up to ``grace`` seconds for every
        process seen meanwhile (:class:`Watch`) to end; returns those still alive, described.
        """
        self.watch.snapshot()
        kernel_id = self.status()["kernelId"]
        self.page.evaluate("() => window.__tl.start('notebook:shutdown-kernel')")
        deadline = time.monotonic() + timeout
        while any(k["id"] == kernel_id for k in self.server.kernels()):
            if time.monotonic() > deadline:
                raise TimeoutError(f"kernel {kernel_id} is still listed {timeout:.0f} s after notebook:shutdown-kernel")
            self.page.wait_for_timeout(200)
        deadline = time.monotonic() + grace
        while self.watch.leftovers() and time.monotonic() < deadline:
            time.sleep(0.2)
        left = self.watch.leftovers()
        found = [f"process {self.watch.names.get(proc.pid) or describe(proc)} is still running {grace:.0f} s "
                 f"after its kernel shut down" for proc in left]
        for proc in left:  # reported; now gone, so the next notebook starts clean
            try:
                proc.kill()
            except psutil.Error:
                pass
        return found

    def close_notebook(self) -> None:
        self.page.evaluate("async () => { const w = window.__tl.widget; if (w) { "
                           "await window.jupyterapp.commands.execute('application:close'); "
                           "if (!w.isDisposed) w.dispose(); } window.__tl.widget = null; }")

    # looking at it
    def cell(self, index: int):
        """The Playwright locator of the open notebook's cell ``index`` (marked by a data attribute)."""
        self.page.evaluate("(i) => { const w = window.__tl.widget; w.content.widgets[i].node.dataset.tlCell = String(i); }",
                           index)
        return self.page.locator(f"[data-tl-cell='{index}']")

    def screenshot(self, path: Path, *, max_height: int = 16_000) -> None:
        """The whole notebook in one picture: the window made as tall as the notebook (up to ``max_height``).

        Off-screen cells only get their real height once on screen (content-visibility), so the
        window grows until the notebook fits.
        """
        path.parent.mkdir(parents=True, exist_ok=True)
        # The cells' height plus the page around the notebook (menus, toolbar, status bar); not the
        # scroll area's height, which includes JupyterLab's "scroll past the last cell" space.
        measure = """() => {
          const w = window.__tl.widget; if (!w || !w.content.widgets.length) return 0;
          const outer = w.content.node.querySelector('.jp-WindowedPanel-outer') || w.content.node;
          outer.scrollTop = 0;
          const cells = w.content.widgets.map(cell => cell.node.getBoundingClientRect());
          const content = cells[cells.length - 1].bottom - cells[0].top;
          const around = document.documentElement.clientHeight - outer.getBoundingClientRect().height;
          return Math.ceil(content + around + 40);
        }"""
        height = self.viewport["height"]
        try:
            for attempt in range(4):
                wanted = min(int(self.page.evaluate(measure)), max_height)
                if attempt and wanted <= height:
                    break
                height = max(height, wanted)
                self.page.set_viewport_size({"width": self.viewport["width"], "height": height})
                self.page.wait_for_timeout(300)  # relayout
            self.page.screenshot(path=str(path), full_page=True)
        finally:
            self.page.set_viewport_size(self.viewport)


def launch_browser(playwright):
    """Debian's Chromium, headless, with the flags of the other browser tests."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
