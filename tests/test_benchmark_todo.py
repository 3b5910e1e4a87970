"""Smoke test of benchmarks/todo.py: a tiny run measures everything and checks its own counts.

No timing is asserted; the figures depend on the machine. What must hold: every list request
answers 200, every create 201, the row count matches, and no process or file is left behind.
"""

from __future__ import annotations

import importlib.util
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_benchmark(name: str = "todo"):
    """benchmarks/<name>.py as a module (benchmarks/ is no package)."""
    spec = importlib.util.spec_from_file_location(f"benchmark_{name}", ROOT / "benchmarks" / f"{name}.py")
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


def test_list_breakdown_can_still_make_each_copy_of_the_app(tmp_path):
    """benchmarks/list_breakdown.py edits copies of todo/ by text: it must still find that text."""
    import py_compile
    import subprocess
    import sys

    breakdown = load_benchmark("list_breakdown")
    for i, changes in enumerate(breakdown.VARIANTS.values()):
        copy = breakdown.make_variant(tmp_path / str(i), changes) / "todo"
        for name, _, new in changes:
            assert new in (copy / name).read_text()
        for path in copy.glob("*.py"):
            py_compile.compile(str(path), doraise=True)
        subprocess.run([sys.executable, "-c", "import todo.app, todo.tasks; todo.tasks.RawTaskList"],
                       cwd=copy.parent, check=True, timeout=60)
