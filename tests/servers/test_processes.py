"""Tests for labsupport.servers.processes and supervise: server processes that never outlive their owner."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import urllib.request

import psutil
import pytest

import labsupport
from labsupport import PortInUseError, ServerProcessError

from ..conftest import ROOT


def get(url: str) -> str:
    return urllib.request.urlopen(url, timeout=10).read().decode()


def gone(pids, timeout: float = 10.0) -> bool:
    """True once none of ``pids`` is a live (non-zombie) process."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = []
        for pid in pids:
            try:
                if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                    alive.append(pid)
            except psutil.NoSuchProcess:
                pass
        if not alive:
            return True
        time.sleep(0.05)
    return False


def test_factory_target_answers_and_stop_removes_it():
    proc = labsupport.serve_process("tests.apps:make_hello_app", cwd=ROOT)
    assert proc.status == "running" and proc.url == f"http://127.0.0.1:{proc.port}/"
    assert get(proc.url) == "Hello, world"
    assert labsupport.running() == [proc]
    proc.stop()
    assert gone([proc.pid]) and labsupport.running() == []
    assert "listening on http://127.0.0.1" in proc.logs()  # kept after stop,
    assert not proc._log_path.exists()  # but the temporary file is gone


def test_stop_also_ends_the_pool_workers_the_server_started():
    proc = labsupport.serve_process("tests.apps:make_pool_app", cwd=ROOT)
    pids = json.loads(get(proc.url))
    assert len(pids["workers"]) >= 1 and pids["server"] not in pids["workers"]
    proc.stop()
    assert gone([proc.pid, pids["server"], *pids["workers"]])


def test_command_target_gets_port_and_python_filled_in():
    proc = labsupport.serve_process(["{python}", "-m", "http.server", "{port}", "--bind", "{host}"],
                                    name="files", cwd=ROOT)
    assert "README" in get(proc.url) or "requirements.txt" in get(proc.url)
    assert proc.name == "files"


def test_serving_again_under_the_same_name_replaces_the_process():
    first = labsupport.serve_process("tests.apps:make_hello_app", name="hello", cwd=ROOT)
    second = labsupport.serve_process("tests.apps:make_hello_app", name="hello", cwd=ROOT)
    assert gone([first.pid]) and labsupport.running() == [second]


def test_a_factory_that_fails_reports_its_output():
    with pytest.raises(ServerProcessError, match="exited with code .* before it answered(.|\n)*fails on purpose"):
        labsupport.serve_process("tests.apps:make_broken_app", cwd=ROOT)
    assert labsupport.running() == []


def test_a_process_that_never_listens_is_stopped_after_the_timeout():
    with pytest.raises(ServerProcessError, match="did not answer on port .* within 1 s, so it was stopped"):
        labsupport.serve_process(["{python}", "-c", "import time; time.sleep(60)"], ready_timeout=1)
    assert labsupport.running() == []


def test_a_taken_port_is_refused_before_starting():
    other = labsupport.serve_process("tests.apps:make_hello_app", name="other", cwd=ROOT)
    with pytest.raises(PortInUseError, match=f"Port {other.port} .* port=0"):
        labsupport.serve_process("tests.apps:make_hello_app", name="clash", port=other.port, cwd=ROOT)


_OWNER = textwrap.dedent("""
    import json, sys, time, urllib.request
    import labsupport
    proc = labsupport.serve_process("tests.apps:make_pool_app", cwd=sys.argv[1])
    pids = json.loads(urllib.request.urlopen(proc.url, timeout=10).read())
    print(json.dumps([proc.pid, pids["server"], *pids["workers"]]), flush=True)
    if sys.argv[2] == "fail":
        raise AssertionError("the owner fails, like a test that fails")
    time.sleep(60)  # until killed
""")


@pytest.mark.parametrize("how", ["fail", "sigkill"])
def test_no_orphans_when_the_owner_fails_or_is_killed(how):
    """A failing test (exception, then interpreter exit) or a killed kernel leaves nothing behind."""
    owner = subprocess.Popen([sys.executable, "-c", _OWNER, str(ROOT), how], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        pids = json.loads(owner.stdout.readline())
        assert all(psutil.pid_exists(pid) for pid in pids)
        if how == "sigkill":
            owner.send_signal(signal.SIGKILL)
        assert owner.wait(timeout=15) != 0
        assert gone(pids), f"left behind: {[p for p in pids if psutil.pid_exists(p)]}"
    finally:
        owner.kill()
        owner.wait()


def test_supervisor_without_a_command_prints_usage():
    result = subprocess.run([sys.executable, "-m", "labsupport.servers.supervise"], capture_output=True, text=True)
    assert result.returncode == 2 and "usage" in result.stderr


@pytest.mark.skipif(not hasattr(os, "killpg"), reason="process groups are POSIX")
def test_supervisor_passes_on_the_exit_code():
    result = subprocess.run([sys.executable, "-m", "labsupport.servers.supervise", "--", sys.executable, "-c",
                             "raise SystemExit(3)"], capture_output=True, text=True, timeout=20)
    assert result.returncode == 3 and "exited with code 3" in result.stderr
