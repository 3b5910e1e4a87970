"""Tests for labsupport.kernel.extension: what `import labsupport` changes in a real kernel, and undoing it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ..kernels import Kernel

LEARNERS_HANDLER = """
def my_handler(shell, etype, value, tb, tb_offset=None):
    print(f"my handler saw {etype.__name__}: {value}")
get_ipython().set_custom_exc((ValueError,), my_handler)
"""
HOOKS = ("import labsupport.kernel.loop_repair as kl\n"
         "cbs = get_ipython().events.callbacks\n"
         "print(cbs['pre_run_cell'].count(kl.remember_loop), cbs['post_run_cell'].count(kl.repair_loop))")


@pytest.fixture
def kernel():
    k = Kernel()
    yield k
    k.shutdown(now=True)


def error_of(kernel: Kernel, code: str) -> dict:
    """The error message a cell produced (ename, evalue, traceback lines)."""
    msg_id = kernel.client.execute(code, stop_on_error=False)  # else the kernel drops the next cell
    while True:
        reply = kernel.client.get_iopub_msg(timeout=30)
        if reply["parent_header"].get("msg_id") != msg_id:
            continue
        if reply["msg_type"] == "error":
            return reply["content"]
        if reply["msg_type"] == "status" and reply["content"]["execution_state"] == "idle":
            return {}


def test_import_chains_to_the_learners_handler_instead_of_replacing_it(kernel):
    kernel.run(LEARNERS_HANDLER)
    kernel.run("import labsupport")
    assert kernel.run("raise ValueError('mine')") == "my handler saw ValueError: mine\n"
    short = error_of(kernel, "labsupport.serve('not an app')")
    assert short["ename"] == "ServeError" and len(short["traceback"]) == 1


def test_unload_puts_the_kernel_back_as_it_was(kernel):
    kernel.run(LEARNERS_HANDLER)
    kernel.run("import labsupport")
    assert kernel.run(HOOKS) == "1 1\n"
    kernel.run("%unload_ext labsupport")
    assert kernel.run(HOOKS) == "0 0\n"
    assert kernel.run("raise ValueError('mine')") == "my handler saw ValueError: mine\n"
    full = error_of(kernel, "labsupport.serve('not an app')")
    assert full["ename"] == "ServeError" and len(full["traceback"]) > 1  # IPython's own traceback again
    kernel.run("%load_ext labsupport")
    assert len(error_of(kernel, "labsupport.serve('not an app')")["traceback"]) == 1


def test_a_learners_handler_that_raises_does_not_take_the_short_errors_with_it(kernel):
    kernel.run("def broken(shell, etype, value, tb, tb_offset=None):\n    raise RuntimeError('my bug')\n"
               "get_ipython().set_custom_exc((ValueError,), broken)\nimport labsupport")
    error_of(kernel, "raise ValueError('boom')")  # IPython unregisters every handler after this
    assert kernel.run("print(labsupport.kernel.extension.loaded())") == "True\n"
    assert len(error_of(kernel, "labsupport.serve('not an app')")["traceback"]) == 1


def test_load_ext_after_import_is_a_no_op(kernel):
    kernel.run("import labsupport")
    kernel.run("%load_ext labsupport")
    kernel.run("import importlib; importlib.reload(labsupport)")
    assert kernel.run(HOOKS) == "1 1\n"
    assert kernel.run("print(labsupport.kernel.extension.loaded())") == "True\n"


def test_no_extension_when_the_learner_opts_out(kernel):
    kernel.run("import os; os.environ['LABSUPPORT_NO_EXTENSION'] = '1'\nimport labsupport")
    assert kernel.run(HOOKS) == "0 0\n"
    assert len(error_of(kernel, "labsupport.serve('not an app')")["traceback"]) > 1


def test_plain_python_imports_without_ipython_hooks():
    code = "import labsupport, labsupport.kernel.extension as e; print(e.loaded())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout == "False\n"


NEEDS_CELL = "# needs: {program}\nprint('ran', 6 * 7)"


def test_a_cell_that_needs_a_missing_program_prints_how_to_install_it(kernel):
    kernel.run("import labsupport")
    out = kernel.run(NEEDS_CELL.format(program="no-such-program-here"))
    assert out.startswith("no-such-program-here is not installed here, so this cell did nothing.") and "ran" not in out
    assert kernel.run(NEEDS_CELL.format(program="python3")) == "ran 42\n"  # installed: runs as written
    assert kernel.run("x = 1\n# needs: no-such-program-here\nprint('ran')") == "ran\n"  # only a first line counts
    kernel.run("%unload_ext labsupport")
    assert kernel.run(NEEDS_CELL.format(program="no-such-program-here")) == "ran 42\n"  # a comment again


def test_the_nginx_notice_names_the_install_command():
    from labsupport.kernel import needs

    lines = needs.skip_if_missing(["# needs: nginx\n", "proxy = labsupport.serve_nginx(todo)\n"])
    if needs.missing("nginx"):
        assert "sudo apt install nginx" in lines[0] and len(lines) == 1
    else:
        assert lines[1].startswith("proxy =")


SCHEDULED_PRINTER = """
import asyncio
from labsupport.kernel.cell_request import run_in_running_cell
ticks = asyncio.Queue()
async def printer():
    while True:
        text = await ticks.get()
        print(f"plain {text}")                                          # goes by this task's context
        run_in_running_cell(lambda: print(f"in the running cell {text}"))
task = asyncio.get_running_loop().create_task(printer())
"""


def test_code_a_cell_scheduled_can_print_under_the_cell_running_now(kernel):
    kernel.run("import labsupport")
    kernel.run(SCHEDULED_PRINTER)
    out = kernel.run("ticks.put_nowait(1)\nawait asyncio.sleep(0.2)")
    # ipykernel 7 sends the plain print to the cell that started the task (6: to the latest cell)
    assert "in the running cell 1" in out
    kernel.run("%unload_ext labsupport")
    out = kernel.run("ticks.put_nowait(2)\nawait asyncio.sleep(0.2)")
    assert "in the running cell 2" not in out  # without the extension nothing knows the running cell
