"""Tests for labsupport.watch.stacks: which frame of a sampled stack is named, and how it is written."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import types
from pathlib import Path

from labsupport.watch import stacks

HERE = Path(__file__)


def line_of(marker: str) -> int:
    """The line of this file that ends with ``# <marker>``."""
    lines = HERE.read_text().splitlines()
    return next(n for n, line in enumerate(lines, 1) if line.rstrip().endswith(f"# {marker}"))


def in_a_callback(function):
    """Run ``function()`` as an event loop callback (inside ``Handle._run``, as a handler runs); return its result."""
    async def scenario():
        future = asyncio.get_running_loop().create_future()
        asyncio.get_running_loop().call_soon(lambda: future.set_result(function()))
        return await future
    return asyncio.run(scenario())


def compiled(source: str, filename: str) -> dict:
    """Define the functions of ``source`` as if they were written in ``filename``."""
    namespace: dict = {}
    exec(compile(source, filename, "exec"), namespace)
    return namespace


def sample_here():
    return stacks.classify(sys._getframe())  # sampled


def test_a_callback_names_its_own_frame_and_line():
    kind, (code, lasti, lineno) = in_a_callback(sample_here)
    assert kind == "callback" and code is sample_here.__code__ and lineno == line_of("sampled")
    place = stacks.describe(code, lasti, lineno)
    assert place.function == "sample_here" and place.callee == "stacks.classify"
    assert place.where == f"{HERE.relative_to(Path.cwd())}, line {lineno}"


def test_outside_any_callback_the_loop_is_idle():
    assert stacks.classify(sys._getframe()) == ("idle", None)


def test_the_cells_own_code_run_by_ipython_is_the_cell():
    shell = compiled("def run_code(code):\n    return code()\n", os.path.join("/x", "IPython", "core", "interactiveshell.py"))
    assert in_a_callback(lambda: shell["run_code"](sample_here)) == ("cell", None)
    other = compiled("def run_code(code):\n    return code()\n", "/x/mine/interactiveshell.py")  # not IPython's
    assert in_a_callback(lambda: other["run_code"](sample_here))[0] == "callback"


def test_the_kernel_answering_its_front_end_is_the_kernel():
    kernel = compiled("def dispatch_shell(work):\n    return work()\n", os.path.join("/x", "ipykernel", "kernelbase.py"))
    assert in_a_callback(lambda: kernel["dispatch_shell"](sample_here)) == ("kernel", None)


def test_library_frames_are_skipped_for_the_learners_innermost_frame():
    library = compiled("def helper(then):\n    return then()\n", os.path.join("/x", "site-packages", "lib.py"))

    def mine():
        return library["helper"](lambda: stacks.classify(sys._getframe(1)))  # mine

    kind, (code, _, lineno) = in_a_callback(mine)  # the stack sampled: helper (a library's), then mine
    assert kind == "callback" and code is mine.__code__ and lineno == line_of("mine")


def test_with_only_library_frames_the_innermost_one_is_named():
    library = compiled("import sys\nfrom labsupport.watch import stacks\n"
                       "def callback(out):\n    out.append(stacks.classify(sys._getframe()))\n",
                       os.path.join("/x", "site-packages", "lib.py"))

    async def scenario():
        out: list = []
        asyncio.get_running_loop().call_soon(library["callback"], out)  # a library's own callback
        await asyncio.sleep(0.01)
        return out[0]

    kind, (code, _, lineno) = asyncio.run(scenario())
    assert kind == "callback" and code is library["callback"].__code__ and lineno == 4


class Chain:
    def link(self) -> Chain:
        return self

    def sample(self) -> stacks.Place:
        return stacks.describe(*stacks.place_of(sys._getframe(1)))


def test_the_callee_is_the_whole_expression_called_not_the_text_before_the_first_parenthesis():
    place = Chain().link().sample()
    assert place.callee == "Chain().link().sample" and place.function.endswith("parenthesis")


def test_a_call_over_several_lines_names_its_callee():
    chain = Chain()
    place = chain.link().sample(
    )
    assert place.callee == "chain.link().sample"
    place = Chain(
    ).sample()
    assert place.callee == "sample"  # Python 3.11 starts a method call on the line of its name, when it is not the first


def test_no_callee_when_most_samples_of_the_line_were_elsewhere():
    code, lasti, lineno = stacks.place_of(sys._getframe())
    assert stacks.describe(code, lasti, lineno, call_share=0.5).callee is None
    assert stacks.describe(code, lasti, lineno, call_share=0.6).callee == "stacks.place_of"


def test_without_column_positions_the_lines_outer_call_is_named(tmp_path):
    script = tmp_path / "script.py"
    script.write_text("import sys\nfrom labsupport.watch import stacks\n"
                      "print(stacks.describe(*stacks.place_of(sys._getframe())).callee)\n")
    out = subprocess.run([sys.executable, "-X", "no_debug_ranges", str(script)], capture_output=True, text=True,
                         cwd=Path(stacks.__file__).parents[2], timeout=60)
    assert out.stdout.strip() == "print", out.stderr  # the outermost call of the line: a guess, without columns


def test_where_names_a_cell_like_ipython_and_a_file_by_its_path_or_name(monkeypatch):
    assert stacks.where("/nowhere/else/app.py", 40) == "app.py, line 40"
    assert stacks.where(str(Path.cwd() / "todo" / "app.py"), 40) == f"{Path('todo', 'app.py')}, line 40"
    shell = types.SimpleNamespace(compile=types.SimpleNamespace(
        format_code_name=lambda name: ("Cell", "In[14]") if name == "/tmp/ipykernel_1/2.py" else None))
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: shell))
    assert stacks.where("/tmp/ipykernel_1/2.py", 3) == "Cell In[14], line 3"
    assert stacks.where("/tmp/ipykernel_1/9.py", 3) == "9.py, line 3"  # a cell of another kernel
