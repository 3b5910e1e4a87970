"""Thirty learners on one host: ten kernels at once never share a port, never see each other's data.

Each "learner" gets a home of its own (a temporary folder with a copy of ``notebooks/``, ``HOME``
and ``JUPYTERHUB_SERVICE_PREFIX`` set as a hub would), and a kernel started there through
jupyter_client. All kernels run lesson 02 and then lesson 07 at the same time, one cell at a
time, each execute request carrying the cell's own id as ``cellId`` metadata, as JupyterLab sends it.
One thread per kernel drives it with its own blocking client; the test stops all threads at a
few checkpoints, where every kernel holds its servers, and compares what the kernels report:

* after lesson 02's servers are up (before its clean-up cell): four servers in each kernel;
* in lesson 07 after cell c47 (the chat server is live, alice and bob connected): the test posts
  one message with a per-learner secret into each kernel's chat over HTTP, then checks that
  each room (read in the kernel, over HTTP, and on alice's websocket) holds its own message and
  nobody else's;
* after both lessons: an app of ours in each kernel answers with its pid and secret, and a server
  process of ours (``serve_process``) answers with its secret and turns out to be that kernel's
  descendant; both are left running into the shutdown.

At every checkpoint the ports that ``labsupport.running()`` reports must be disjoint across kernels,
and each must be listened on by that kernel's own process tree (psutil). After shutting every
kernel down, no process they started may remain and no port they listened on may still answer.

Run it alone (about 25 s for ten kernels on two cores, 65 s for thirty)::

    .venv/bin/python -m pytest tests/test_many_kernels.py -x -q -s

``MANY_KERNELS=N`` changes the number of kernels (default 10).
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import queue
import re
import secrets
import shutil
import socket
import sys
import textwrap
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import nbformat
import psutil
import pytest
from jupyter_client.manager import KernelManager

from labsupport.measure.cpu import cpu_seconds as tree_cpu_seconds

from .conftest import ROOT

N_KERNELS = int(os.environ.get("MANY_KERNELS", "10"))
# Measured on 2 cores: a start takes 3-4 s with 10 kernels starting (8-10 s with 30), the slowest
# cell (lesson 02's serve_process, c38) 2-4 s with 10 kernels (7-11 s with 30).
START_TIMEOUT = 120.0  # one kernel's start, with all the others starting too
CELL_TIMEOUT = 120.0  # one cell
PHASE_TIMEOUT = 300.0  # a backstop for one checkpoint-to-checkpoint stretch of all kernels
GONE_TIMEOUT = 30.0

LESSON_02 = ROOT / "notebooks" / "02-write-your-first-server.ipynb"
LESSON_07 = ROOT / "notebooks" / "07-build-a-chat-room.ipynb"
LESSON_02_CLEANUP = "c56"  # the cell that stops everything: probe just before it
LESSON_07_CHAT_LIVE = "c47"  # after this cell the chat and alice's and bob's sockets are live
MARK = "MANY-KERNELS-JSON "
PROBE_PREFIX = "crosstalk-probe "

# Our own cells. They keep the learner's namespace clean (no new top-level names but _mk_*).
PORTS_CELL = """\
print(%r + __import__("json").dumps({"pid": __import__("os").getpid(), "servers": [
    {"name": s.name, "port": s.port, "kind": type(s).__name__, "pid": getattr(s, "pid", None),
     "browser_url": s.browser_url} for s in __import__("labsupport").running()]}))
""" % MARK

CHAT_REPORT_CELL = """\
async def _mk_chat_report():
    import asyncio, json
    room = [m["body"] for m in app.room.buffer.since(0)]
    alice_saw = []  # alice's next messages, up to the first probe
    while True:
        frame = await asyncio.wait_for(alice.read_message(), 60)
        if frame is None:
            alice_saw.append(None)
            break
        alice_saw.append(json.loads(frame)["body"])
        if alice_saw[-1].startswith(%r):
            break
    return {"room": room, "alice": alice_saw}
print(%r + __import__("json").dumps(await _mk_chat_report()))
del _mk_chat_report
""" % (PROBE_PREFIX, MARK)

WHOAMI_CELL = """\
def _mk_whoami(token):
    import os, tornado.web, labsupport
    class WhoAmI(tornado.web.RequestHandler):
        def get(self):
            self.write({"pid": os.getpid(), "token": token})
    return labsupport.serve(tornado.web.Application([(r"/", WhoAmI)]), name="whoami")
_mk_whoami(%r)
"""

WHOAMI_PROCESS_CELL = """\
__import__("labsupport").serve_process(["{python}", "whoami_app.py", "--port={port}"], name="whoami-process",
                                       env={"WHOAMI_TOKEN": %r})
"""

WHOAMI_APP = '''\
"""A server process that says who it is: its pid, its parent's, and the secret it was given."""
import asyncio, os
import tornado.web
from tornado.options import define, options, parse_command_line

define("port", type=int, default=0)


class WhoAmI(tornado.web.RequestHandler):
    def get(self):
        self.write({"pid": os.getpid(), "ppid": os.getppid(), "token": os.environ["WHOAMI_TOKEN"]})


async def main():
    parse_command_line()
    tornado.web.Application([(r"/", WhoAmI)]).listen(options.port, address="127.0.0.1")
    await asyncio.Event().wait()


asyncio.run(main())
'''

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


# --- the checks, as plain functions (test_the_checks_catch_... feeds them wrong data) -------------


def port_clashes(ports: dict[str, list[int]]) -> dict[int, list[str]]:
    """The ports reported more than once (by two kernels, or twice by one), with who reported them."""
    counts = Counter(port for reported in ports.values() for port in reported)
    return {port: sorted(name for name, reported in ports.items() for p in reported if p == port)
            for port, n in counts.items() if n > 1}


def unowned_ports(reported: list[int], listening: dict[int, int]) -> list[int]:
    """The reported ports that no process of this kernel's tree listens on (``listening``: port -> pid)."""
    return sorted(port for port in reported if port not in listening)


def identity_problems(expected: dict[str, tuple[int, str]], answers: dict[str, dict]) -> list[str]:
    """Which kernels' apps answered with another pid or token than their own (``expected``: pid, token)."""
    problems = []
    for name, (pid, token) in expected.items():
        got = answers.get(name)
        if got is None:
            problems.append(f"{name}: no answer")
        elif got.get("pid") != pid or got.get("token") != token:
            problems.append(f"{name}: expected pid {pid} and its own token, got pid {got.get('pid')} "
                            f"and token {got.get('token')!r}")
    return problems


def crosstalk_problems(probes: dict[str, str], seen: dict[str, list[str | None]], where: str) -> list[str]:
    """Which kernels ``where`` lack their own probe message or hold someone else's."""
    problems = []
    for name, own in probes.items():
        messages = seen.get(name, [])
        if own not in messages:
            problems.append(f"{name}: its own probe is missing from {where}")
        foreign = [other for other_name, other in probes.items() if other_name != name and other in messages]
        if foreign:
            problems.append(f"{name}: {where} holds other kernels' probes: {foreign}")
    return problems


def still_alive(procs: list[psutil.Process]) -> list[str]:
    """The processes of ``procs`` that still run (a zombie has ended; it only waits to be reaped)."""
    alive = []
    for proc in procs:
        try:
            if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                alive.append(f"{proc.pid} ({' '.join(proc.cmdline()[:4])})")
        except psutil.NoSuchProcess:
            pass
    return alive


def still_listening(addresses: set[tuple[str, int]]) -> list[str]:
    """The addresses of ``addresses`` where something still accepts a TCP connection."""
    answering = []
    for host, port in sorted(addresses):
        try:
            socket.create_connection((host, port), timeout=2).close()
        except OSError:
            continue
        holders = [c.pid for c in psutil.net_connections(kind="tcp")
                   if c.status == psutil.CONN_LISTEN and c.laddr.port == port]
        answering.append(f"{host}:{port} (listening pid {holders or '?'})")
    return answering


def assert_no_problems(problems: list[str], what: str) -> None:
    assert not problems, f"{what}:\n  " + "\n  ".join(problems)


# --- one learner: a home, a kernel, a thread ---------------------------------------------------------


@dataclass
class CellRun:
    cell_id: str
    seconds: float
    status: str = "?"
    errors: list[dict] = field(default_factory=list)
    stdout: str = ""
    stderr: str = ""


@dataclass
class Checkpoint:
    """What one kernel reported at a checkpoint, and what psutil saw its process tree listen on."""

    pid: int
    servers: list[dict]
    listening: dict[int, int]  # port -> pid, every process of the kernel's tree

    @property
    def ports(self) -> list[int]:
        return [s["port"] for s in self.servers]


class Learner:
    """A hub user: a home with a copy of ``notebooks/``, a kernel started there, one thread driving it."""

    def __init__(self, index: int, home: Path) -> None:
        self.index = index
        self.name = f"learner-{index:02d}"
        self.home = home
        self.cwd = home / "notebooks"
        shutil.copytree(ROOT / "notebooks", self.cwd,
                        ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "*.db*"))
        (self.cwd / "whoami_app.py").write_text(WHOAMI_APP)
        self.token = secrets.token_hex(16)
        self.prefix = f"/user/{self.name}/"
        self.thread = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix=self.name)
        self.manager: KernelManager | None = None
        self.client = None
        self.closed = False  # set on teardown: a waiting cell gives up within a second
        self.cells: list[CellRun] = []
        self.times: dict[str, float] = {}
        self.seen: dict[int, psutil.Process] = {}  # every process of its tree seen at a checkpoint

    # All the methods below run on self.thread, so that only it touches the kernel's sockets.

    def start(self) -> int:
        began = time.monotonic()
        env = {key: value for key, value in os.environ.items() if key != "LABSUPPORT_PROXY_PREFIX"}
        env.update(HOME=str(self.home), JUPYTERHUB_SERVICE_PREFIX=self.prefix)
        self.manager = KernelManager(kernel_name="python3")
        self.manager.start_kernel(cwd=str(self.cwd), env=env)
        self.client = self.manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=START_TIMEOUT)
        self.times["start"] = time.monotonic() - began
        return self.manager.provisioner.pid

    @property
    def pid(self) -> int:
        return self.manager.provisioner.pid

    def execute(self, code: str, cell_id: str, *, stop_on_error: bool = True) -> CellRun:
        """Run one cell like JupyterLab: ``cellId`` metadata, then wait for idle and the reply."""
        content = {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                   "allow_stdin": False, "stop_on_error": stop_on_error}
        message = self.client.session.msg("execute_request", content,
                                          metadata={"cellId": cell_id, "deletedCells": [], "recordTiming": False})
        self.client.shell_channel.send(message)
        msg_id = message["header"]["msg_id"]
        run, began = CellRun(cell_id, 0.0), time.monotonic()
        deadline = began + CELL_TIMEOUT
        stdout, stderr = [], []
        while True:
            reply = self._next(self.client.get_iopub_msg, cell_id, deadline)
            if reply["parent_header"].get("msg_id") != msg_id:
                continue
            kind, body = reply["msg_type"], reply["content"]
            if kind == "stream":
                (stdout if body["name"] == "stdout" else stderr).append(body["text"])
            elif kind == "error":
                run.errors.append({"ename": body["ename"], "evalue": body["evalue"],
                                   "traceback": _ANSI.sub("", "\n".join(body["traceback"]))})
            elif kind == "status" and body["execution_state"] == "idle":
                break
        while True:
            reply = self._next(self.client.get_shell_msg, cell_id, deadline)
            if reply["parent_header"].get("msg_id") == msg_id:
                run.status = reply["content"]["status"]
                break
        run.seconds, run.stdout, run.stderr = time.monotonic() - began, "".join(stdout), "".join(stderr)
        self.cells.append(run)
        return run

    def _next(self, get, cell_id: str, deadline: float) -> dict:
        while True:
            if self.closed:
                raise AssertionError(f"{self.name}: stopped while cell {cell_id} ran")
            try:
                return get(timeout=1)
            except queue.Empty:
                pass
            if not self.manager.is_alive():
                raise AssertionError(f"{self.name}: the kernel died during cell {cell_id}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.name}: cell {cell_id} did not finish within {CELL_TIMEOUT:g} s")

    def run_cells(self, cells: list, label: str) -> None:
        """Run lesson cells in order; stop at the first error that the cell's tags do not allow."""
        began = time.monotonic()
        for cell in cells:
            may_raise = "raises-exception" in cell.metadata.get("tags", [])
            run = self.execute(cell.source, cell.id, stop_on_error=not may_raise)
            if not may_raise and (run.errors or run.status != "ok"):
                first = run.errors[0] if run.errors else {"ename": run.status, "evalue": "", "traceback": ""}
                raise AssertionError(
                    f"{self.name}: {label} cell {cell.id} failed ({run.status}): {first['ename']}: "
                    f"{first['evalue']}\n{textwrap.indent(first['traceback'][-3000:], '    ')}"
                    + (f"\n    stderr: {run.stderr[-1500:]}" if run.stderr else ""))
        self.times[label] = self.times.get(label, 0.0) + time.monotonic() - began

    def run_ok(self, code: str, cell_id: str) -> CellRun:
        """Run one of our own cells; it must not fail."""
        run = self.execute(code, cell_id)
        if run.errors or run.status != "ok":
            error = run.errors[0] if run.errors else {"ename": run.status, "evalue": "", "traceback": ""}
            raise AssertionError(f"{self.name}: our cell {cell_id} failed: {error['ename']}: {error['evalue']}\n"
                                 f"{error['traceback'][-3000:]}")
        return run

    def run_json(self, code: str, cell_id: str) -> dict:
        """Run one of our own cells and parse the JSON it printed after MARK."""
        run = self.run_ok(code, cell_id)
        lines = [line for line in run.stdout.splitlines() if line.startswith(MARK)]
        assert lines, f"{self.name}: our cell {cell_id} printed no report: {run.stdout[-500:]!r}"
        return json.loads(lines[-1].removeprefix(MARK))

    def checkpoint(self, label: str) -> Checkpoint:
        report = self.run_json(PORTS_CELL, f"many-kernels-ports-{label}")
        return Checkpoint(pid=report["pid"], servers=report["servers"], listening=self.listening())

    def listening(self) -> dict[int, int]:
        """Port -> pid for every TCP port that the kernel or one of its descendants listens on."""
        return {port: pid for _, port, pid in self._listen_sockets()}

    def listening_addresses(self) -> set[tuple[str, int]]:
        """The (address, port) pairs to connect to, to see whether anything of the tree still listens."""
        return {("127.0.0.1" if ip in ("0.0.0.0", "") else "::1" if ip == "::" else ip, port)
                for ip, port, _ in self._listen_sockets()}

    def _listen_sockets(self) -> list[tuple[str, int, int]]:
        found = []
        for proc in self.tree():
            try:
                found += [(c.laddr.ip, c.laddr.port, proc.pid) for c in proc.net_connections(kind="inet")
                          if c.status == psutil.CONN_LISTEN]
            except (psutil.NoSuchProcess, psutil.ZombieProcess):
                pass
        return found

    def tree(self) -> list[psutil.Process]:
        try:
            kernel = psutil.Process(self.pid)
            tree = [kernel, *kernel.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []
        for proc in tree:
            self.seen.setdefault(proc.pid, proc)
        return tree

    def cpu_seconds(self) -> float:
        return tree_cpu_seconds(self.tree())

    def shutdown(self) -> None:
        began = time.monotonic()
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=False)  # the kernel's atexit stops its servers
        self.times["shutdown"] = time.monotonic() - began

    def kill(self) -> None:
        """Teardown: stop the kernel now, whatever state it is in."""
        if self.client is not None:
            self.client.stop_channels()
        if self.manager is not None and self.manager.has_kernel:
            self.manager.shutdown_kernel(now=True)


def on_each(learners: list[Learner], work, timeout: float = PHASE_TIMEOUT) -> list:
    """Run ``work(learner)`` on every learner's own thread at once; raise with every failure."""
    futures = [(learner, learner.thread.submit(work, learner)) for learner in learners]
    deadline, results, failures = time.monotonic() + timeout, [], []
    for learner, future in futures:
        try:
            results.append(future.result(timeout=max(0.0, deadline - time.monotonic())))
        except concurrent.futures.TimeoutError:
            failures.append(f"{learner.name}: still busy after {timeout:g} s")
        except Exception as exc:  # noqa: BLE001 - report every kernel's failure, not only the first
            failures.append(str(exc) if isinstance(exc, AssertionError) else f"{learner.name}: {exc!r}")
    assert not failures, f"{len(failures)} of {len(learners)} kernels failed:\n" + "\n".join(failures)
    return results


def code_cells(path: Path) -> list:
    return [cell for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"]


def split_at(cells: list, cell_id: str, *, after: bool) -> tuple[list, list]:
    ids = [cell.id for cell in cells]
    assert cell_id in ids, f"the lesson has no cell {cell_id} any more: move this test's checkpoint"
    cut = ids.index(cell_id) + (1 if after else 0)
    return cells[:cut], cells[cut:]


def get_json(url: str) -> dict:
    return json.loads(_NO_PROXY.open(url, timeout=30).read())


def check_live(learners: list[Learner], points: list[Checkpoint], label: str) -> None:
    """Every kernel reported its own pid and live servers; the ports are disjoint and really its own."""
    problems = []
    for learner, point in zip(learners, points):
        if point.pid != learner.pid:
            problems.append(f"{learner.name}: the kernel says pid {point.pid}, jupyter_client started {learner.pid}")
        if not point.servers:
            problems.append(f"{learner.name}: no live server at this checkpoint")
        for port in unowned_ports(point.ports, point.listening):
            problems.append(f"{learner.name}: reports port {port}, which no process of its own listens on")
        for server in point.servers:
            if server["browser_url"] != f"{learner.prefix}proxy/{server['port']}/":
                problems.append(f"{learner.name}: {server['name']} links to {server['browser_url']}")
    names = {learner.name: sorted(s["name"] for s in point.servers) for learner, point in zip(learners, points)}
    if len({tuple(n) for n in names.values()}) > 1:
        problems.append(f"the kernels ran the same cells but report different servers: {names}")
    for port, who in port_clashes({l.name: p.ports for l, p in zip(learners, points)}).items():
        problems.append(f"port {port} is reported by {who}")
    for port, who in port_clashes({l.name: list(p.listening) for l, p in zip(learners, points)}).items():
        problems.append(f"port {port} is listened on by the process trees of {who}")
    assert_no_problems(problems, f"at checkpoint {label!r}")


# --- the fixture and the test -------------------------------------------------------------------------


@pytest.fixture
def learners(tmp_path):
    """N learners, each with a home and a thread; on the way out every kernel and process is stopped."""
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    crowd = [Learner(index, tmp_path / f"learner-{index:02d}") for index in range(N_KERNELS)]
    try:
        yield crowd
    finally:
        for learner in crowd:
            learner.closed = True
        kills = [(learner, learner.thread.submit(Learner.kill, learner)) for learner in crowd]
        for learner, future in kills:
            try:
                future.result(timeout=60)
            except Exception:  # noqa: BLE001 - the thread is stuck or the kill failed: signal the pid
                if learner.manager is not None and learner.manager.has_kernel:
                    try:
                        os.kill(learner.manager.provisioner.pid, 9)
                    except (ProcessLookupError, AttributeError, TypeError):
                        pass
            learner.thread.shutdown(wait=False, cancel_futures=True)
        # A safety net for failures only (the test itself asserts that nothing is left): anything this
        # test started that survived its kernel is killed by pid, also an orphan that init adopted.
        left = [p for p in psutil.Process().children(recursive=True) if p.pid not in before]
        left += [p for learner in crowd for p in learner.seen.values() if p.is_running() and p not in left]
        for proc in left:
            try:
                proc.kill()
            except psutil.NoSuchProcess:
                pass
        psutil.wait_procs(left, timeout=10)


def test_the_checks_catch_a_clash_a_wrong_pid_and_cross_talk():
    """The helpers below the big test must fail on wrong data, or the big test could not fail."""
    assert port_clashes({"a": [1000, 1001], "b": [1002]}) == {}
    assert port_clashes({"a": [1000, 1001], "b": [1001]}) == {1001: ["a", "b"]}
    assert port_clashes({"a": [1000, 1000]}) == {1000: ["a", "a"]}
    assert unowned_ports([1000, 1001], {1000: 7}) == [1001]
    expected = {"a": (11, "ta"), "b": (12, "tb")}
    assert identity_problems(expected, {"a": {"pid": 11, "token": "ta"}, "b": {"pid": 12, "token": "tb"}}) == []
    assert identity_problems(expected, {"a": {"pid": 12, "token": "ta"}, "b": {"pid": 12, "token": "tb"}})
    assert identity_problems(expected, {"a": {"pid": 11, "token": "tb"}, "b": {"pid": 12, "token": "tb"}})
    assert identity_problems(expected, {"a": {"pid": 11, "token": "ta"}})
    probes = {"a": "probe a", "b": "probe b"}
    assert crosstalk_problems(probes, {"a": ["x", "probe a"], "b": ["probe b"]}, "the room") == []
    assert len(crosstalk_problems(probes, {"a": ["probe a", "probe b"], "b": ["probe b"]}, "the room")) == 1
    assert len(crosstalk_problems(probes, {"a": [], "b": ["probe b"]}, "the room")) == 1
    with pytest.raises(AssertionError, match="port 1001"):
        assert_no_problems([f"port {p} is reported by {w}" for p, w in port_clashes({"a": [1001], "b": [1001]}).items()],
                           "clash")
    # A real clash through check_live: two kernels that report (and listen on) the same port.
    fake_pids = [101, 102]
    points = [Checkpoint(pid, [{"name": "chat", "port": 5000, "kind": "Server", "pid": None,
                                "browser_url": f"/user/fake-{i}/proxy/5000/"}], {5000: pid})
              for i, pid in enumerate(fake_pids)]

    class FakeLearner:
        def __init__(self, name, pid):
            self.name, self.pid, self.prefix = name, pid, f"/user/{name}/"

    crowd = [FakeLearner(f"fake-{i}", pid) for i, pid in enumerate(fake_pids)]
    with pytest.raises(AssertionError, match="port 5000 is reported by"):
        check_live(crowd, points, "fake")
    points[1] = Checkpoint(102, [{"name": "chat", "port": 5001, "kind": "Server", "pid": None,
                                  "browser_url": "/user/fake-1/proxy/5001/"}], {5001: 102})
    check_live(crowd, points, "fake")  # disjoint: passes
    points[1] = Checkpoint(999, points[1].servers, {5001: 102})
    with pytest.raises(AssertionError, match="the kernel says pid 999"):
        check_live(crowd, points, "fake")
    points[1] = Checkpoint(102, points[1].servers, {})
    with pytest.raises(AssertionError, match="which no process of its own listens on"):
        check_live(crowd, points, "fake")
    points[1] = Checkpoint(102, points[1].servers, {5001: 102, 5000: 102})  # psutil: both trees on 5000
    with pytest.raises(AssertionError, match="port 5000 is listened on by the process trees of"):
        check_live(crowd, points, "fake")
    # Something that listens, and a process that runs, are found; a closed port and an ended one are not.
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        assert still_listening({("127.0.0.1", port)})
    assert not still_listening({("127.0.0.1", port)})
    assert still_alive([psutil.Process()])
    ended = psutil.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    assert still_alive([ended]) == []


@pytest.mark.timeout(600)  # measured: 20-30 s for 10 kernels on 2 cores
def test_ten_learners_run_lessons_02_and_07_at_once_without_clashes_or_cross_talk(learners, capsys):
    began = time.monotonic()
    lesson_02 = code_cells(LESSON_02)
    lesson_07 = code_cells(LESSON_07)
    before_cleanup, cleanup = split_at(lesson_02, LESSON_02_CLEANUP, after=False)
    chat_live, rest_07 = split_at(lesson_07, LESSON_07_CHAT_LIVE, after=True)
    checked: list[str] = []

    # 1. All kernels start at once, each in its own home.
    pids = on_each(learners, Learner.start)
    assert len(set(pids)) == len(learners)
    started = time.monotonic()

    # 2. Lesson 02 up to its clean-up cell: four servers (one a separate process) in every kernel.
    def lesson_02_servers(learner):
        learner.run_cells(before_cleanup, "lesson 02")
        return learner.checkpoint("lesson-02")

    points = on_each(learners, lesson_02_servers)
    check_live(learners, points, "lesson 02, servers up")
    assert any(s["kind"] == "ServerProcess" for s in points[0].servers), points[0].servers
    checked.append(f"lesson 02: {len(points[0].servers)} servers per kernel ({sorted(s['name'] for s in points[0].servers)}), "
                   f"{sum(len(p.ports) for p in points)} ports, all distinct and owned")

    # 3. The rest of lesson 02 (it stops everything), then lesson 07 until the chat is live.
    def lesson_07_chat(learner):
        learner.run_cells(cleanup, "lesson 02")
        end = learner.checkpoint("lesson-02-end")
        assert end.servers == [], f"{learner.name}: lesson 02 ends with servers still live: {end.servers}"
        learner.run_cells(chat_live, "lesson 07")
        return learner.checkpoint("lesson-07-chat")

    points = on_each(learners, lesson_07_chat)
    check_live(learners, points, "lesson 07, chat live")
    chat_ports = {}
    for learner, point in zip(learners, points):
        chats = [s["port"] for s in point.servers if s["name"] == "chat"]
        assert len(chats) == 1, f"{learner.name}: expected one server called 'chat', got {point.servers}"
        chat_ports[learner.name] = chats[0]
    checked.append(f"lesson 07: the chat live in every kernel, {len(set(chat_ports.values()))} distinct chat ports")

    # 4. Cross-talk in the chat: the test posts one secret message into each kernel's room (over
    #    HTTP, with that room's XSRF cookie), then every kernel looks at its room and alice's socket.
    probes = {learner.name: f"{PROBE_PREFIX}for {learner.name} {learner.token}" for learner in learners}
    for learner in learners:
        with httpx.Client(base_url=f"http://127.0.0.1:{chat_ports[learner.name]}", timeout=30, trust_env=False) as http:
            http.get("/").raise_for_status()
            posted = http.post("/messages", data={"body": probes[learner.name]},
                               headers={"X-XSRFToken": http.cookies["chat_xsrf"]})
            assert posted.status_code == 201, (learner.name, posted.status_code, posted.text)
            assert posted.json()["body"] == probes[learner.name]
    over_http = {learner.name: [m["body"] for m in get_json(
        f"http://127.0.0.1:{chat_ports[learner.name]}/messages?after=0")["messages"]] for learner in learners}
    reports = on_each(learners, lambda learner: learner.run_json(CHAT_REPORT_CELL, "many-kernels-chat-report"))
    in_room = {learner.name: report["room"] for learner, report in zip(learners, reports)}
    alice = {learner.name: report["alice"] for learner, report in zip(learners, reports)}
    problems = (crosstalk_problems(probes, over_http, "GET /messages")
                + crosstalk_problems(probes, in_room, "the kernel's app.room")
                + crosstalk_problems(probes, alice, "alice's websocket"))
    problems += [f"{name}: alice's first probe is {saw[-1]!r}" for name, saw in alice.items() if saw[-1] != probes[name]]
    assert_no_problems(problems, "cross-talk between the kernels' chat rooms")
    checked.append("lesson 07: each room (GET /messages, app.room, alice's socket) holds its own probe and no other")

    # 5. The rest of lesson 07 (it shuts the chat down), then our two apps, left running on purpose.
    def lesson_07_rest_and_whoami(learner):
        learner.run_cells(rest_07, "lesson 07")
        end = learner.checkpoint("lesson-07-end")
        assert end.servers == [], f"{learner.name}: lesson 07 ends with servers still live: {end.servers}"
        learner.run_ok(WHOAMI_CELL % learner.token, "many-kernels-whoami")
        learner.run_ok(WHOAMI_PROCESS_CELL % learner.token, "many-kernels-whoami-process")
        return learner.checkpoint("whoami")

    points = on_each(learners, lesson_07_rest_and_whoami)
    check_live(learners, points, "after the lessons, our apps")
    answers, process_answers = {}, {}
    for learner, point in zip(learners, points):
        by_name = {s["name"]: s for s in point.servers}
        assert set(by_name) == {"whoami", "whoami-process"}, f"{learner.name}: {point.servers}"
        answers[learner.name] = get_json(f"http://127.0.0.1:{by_name['whoami']['port']}/")
        process_answers[learner.name] = get_json(f"http://127.0.0.1:{by_name['whoami-process']['port']}/")
    assert_no_problems(identity_problems({l.name: (l.pid, l.token) for l in learners}, answers),
                       "an app served in a kernel answered for another")
    problems = []
    for learner in learners:
        got = process_answers[learner.name]
        if got.get("token") != learner.token:
            problems.append(f"{learner.name}: its server process answered with token {got.get('token')!r}")
        try:
            ancestors = [p.pid for p in psutil.Process(got["pid"]).parents()]
        except psutil.NoSuchProcess:
            ancestors = []
        if learner.pid not in ancestors:
            problems.append(f"{learner.name}: the server process {got.get('pid')} is not a descendant of "
                            f"kernel {learner.pid} (its ancestors: {ancestors})")
    assert_no_problems(problems, "a server process answered for another kernel")
    checked.append("after the lessons: every kernel's app answered with its own pid and token, every server "
                   "process with its own token from the kernel's own process tree")
    lessons_done = time.monotonic()

    # 6. Shut every kernel down at once; nothing they started may remain, no port may still answer.
    cpu = {learner.name: learner.cpu_seconds() for learner in learners}
    procs = [p for learner in learners for p in learner.tree()]
    addresses = set().union(*(learner.listening_addresses() for learner in learners))
    assert len(procs) >= 3 * len(learners)  # the kernel, the supervisor and the whoami process each
    on_each(learners, Learner.shutdown)
    shut = time.monotonic()
    psutil.wait_procs(procs, timeout=GONE_TIMEOUT)
    assert_no_problems(still_alive(procs), "processes left after the kernels shut down")
    assert_no_problems(still_listening(addresses), "ports still answering after the kernels shut down")
    checked.append(f"after shutdown: {len(procs)} processes gone, {len(addresses)} listening addresses closed")

    # The closing note quotes these.
    ended = time.monotonic()
    busy = {l.name: l.times["start"] + sum(c.seconds for c in l.cells) + l.times["shutdown"] for l in learners}
    rows = [f"  {l.name}  start {l.times['start']:4.1f} s  lesson 02 {l.times['lesson 02']:5.1f} s  "
            f"lesson 07 {l.times['lesson 07']:5.1f} s  shutdown {l.times['shutdown']:4.1f} s  busy {busy[l.name]:5.1f} s  "
            f"cpu {cpu[l.name]:4.1f} s  slowest cell {max(l.cells, key=lambda c: c.seconds).cell_id} "
            f"{max(c.seconds for c in l.cells):4.1f} s" for l in learners]
    noisy = sorted({c.cell_id for l in learners for c in l.cells if c.stderr})
    ours = len(learners[0].cells) - len(lesson_02) - len(lesson_07)
    summary = "\n".join([
        f"\n{len(learners)} kernels at once on {os.cpu_count()} cores, lessons 02 + 07 "
        f"({len(lesson_02)} + {len(lesson_07)} code cells, plus {ours} of ours, per kernel):",
        f"  in all {ended - began:.1f} s ({(ended - began) / len(learners):.1f} s per kernel): start "
        f"{started - began:.1f} s, lessons and checks {lessons_done - started:.1f} s, shutdown "
        f"{shut - lessons_done:.1f} s, final checks {ended - shut:.1f} s",
        f"  each kernel busy (start + its cells + shutdown, waits at checkpoints excluded): median "
        f"{sorted(busy.values())[len(busy) // 2]:.1f} s, max {max(busy.values()):.1f} s; CPU median "
        f"{sorted(cpu.values())[len(cpu) // 2]:.1f} s",
        *rows,
        f"  cells that wrote to stderr: {noisy or 'none'}",
        "checked:", *(f"  {line}" for line in checked),
    ])
    with capsys.disabled():
        print(summary)
