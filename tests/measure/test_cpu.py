"""labsupport.measure.cpu: the CPU time of a process tree."""

from __future__ import annotations

import doctest
import os
import signal
import subprocess
import sys

from labsupport.measure import cpu

BURN = """
import threading, time
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


def test_the_docstring_example_runs():
    assert doctest.testmod(cpu).failed == 0


def test_a_tree_counts_the_threads_of_its_child_processes():
    """A shell whose child burnt 0.4 s of CPU in a thread: the shell's tree has used at least that."""
    # "; :" after the command: a shell that would exec its last command stays the parent here
    shell = subprocess.Popen(["sh", "-c", f'"{sys.executable}" -c "$BURN"; :'], stdout=subprocess.PIPE,
                             env={"BURN": BURN, "PATH": "/usr/bin:/bin"}, text=True, start_new_session=True)
    try:
        assert shell.stdout.readline() == "burnt\n"
        tree = cpu.process_tree(shell.pid)
        assert len(tree) == 2, "the shell has no child: nothing tests the children"
        assert cpu.cpu_seconds(tree[1:]) >= 0.4, "the child's thread is not counted"
        assert cpu.cpu_seconds(tree[:1]) < 0.2  # the shell itself burnt nothing
    finally:
        os.killpg(shell.pid, signal.SIGKILL)  # the shell and the Python it started
        shell.wait()
        shell.stdout.close()
    assert cpu.process_tree(shell.pid) == []  # gone: an empty tree, and no error
    assert cpu.cpu_seconds(cpu.process_tree(shell.pid)) == 0.0
