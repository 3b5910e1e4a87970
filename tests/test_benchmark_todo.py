"""Smoke test of benchmarks/todo.py: a tiny run measures everything and checks its own counts.

No timing is asserted; the figures depend on the machine. What must hold: every list request
answers 200, every create 201, the row count matches, and no process or file is left behind.
"""

from __future__ import annotations

import importlib.util
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_benchmark():
    spec = importlib.util.spec_from_file_location("benchmark_todo", ROOT / "benchmarks" / "todo.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_tiny_run_measures_both_apps_and_counts_every_row(capsys):
    temp = Path(tempfile.gettempdir())
    before = set(temp.glob("bench-todo-*"))
    code = load_benchmark().main(["--seconds", "1", "--rounds", "1", "--warmup", "20",
                                  "--creates", "60", "--no-wrk"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "load generator (mean)" in out and "list/hello" in out
    assert "60 answered 201, 0 did not" in out
    assert "rows in tasks: 260; expected 100 + 100 warm-up + 60 measured = 260: ok" in out
    assert set(temp.glob("bench-todo-*")) == before  # the temporary database folder is gone


BURN = """
import sys, threading, time
def burn():
    end = time.process_time() + 0.4
    while time.process_time() < end:
        pass
thread = threading.Thread(target=burn)
thread.start()
thread.join()
print("burnt", flush=True)
time.sleep(30)
"""


def test_cpu_seconds_adds_the_threads_of_a_servers_child_processes():
    """A shell whose child burnt 0.4 s of CPU in a thread: the shell's family has used at least that."""
    import os
    import signal
    import subprocess
    import sys

    import psutil

    cpu_seconds = load_benchmark().cpu_seconds
    # "; :" after the command: a shell that would exec its last command stays the parent here
    shell = subprocess.Popen(["sh", "-c", f'"{sys.executable}" -c "$BURN"; :'], stdout=subprocess.PIPE,
                             env={"BURN": BURN, "PATH": "/usr/bin:/bin"}, text=True,
                             start_new_session=True)
    try:
        assert shell.stdout.readline() == "burnt\n"
        assert psutil.Process(shell.pid).children(), "the shell has no child: nothing tests the children"
        assert cpu_seconds(shell.pid) >= 0.4
    finally:
        os.killpg(shell.pid, signal.SIGKILL)  # the shell and the Python it started
        shell.wait()
        shell.stdout.close()
    assert cpu_seconds(shell.pid) == 0.0  # gone: nothing to count, and no error


def test_list_breakdown_can_still_make_each_copy_of_the_app(tmp_path):
    """benchmarks/list_breakdown.py edits copies of todo/ by text: it must still find that text."""
    import py_compile
    import subprocess
    import sys

    spec = importlib.util.spec_from_file_location("list_breakdown", ROOT / "benchmarks" / "list_breakdown.py")
    breakdown = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(breakdown)
    for i, changes in enumerate(breakdown.VARIANTS.values()):
        copy = breakdown.make_variant(tmp_path / str(i), changes) / "todo"
        for name, _, new in changes:
            assert new in (copy / name).read_text()
        for path in copy.glob("*.py"):
            py_compile.compile(str(path), doraise=True)
        subprocess.run([sys.executable, "-c", "import todo.app, todo.tasks; todo.tasks.RawTaskList"],
                       cwd=copy.parent, check=True, timeout=60)
