"""Tests for labsupport.import_todo: the app the lessons wrote, imported without touching sys.path."""

from __future__ import annotations

import subprocess
import sys

from ..conftest import ROOT

SCRIPT = """
import sys, labsupport
before = list(sys.path)
todo = labsupport.import_todo()
from todo.base import BaseView
print(sys.path == before, todo.__file__)
"""


def run(code: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          cwd="/", env={"PATH": "/usr/bin:/bin", **env})


def test_the_app_imports_from_anywhere_and_sys_path_is_untouched():
    out = run(SCRIPT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"True {ROOT / 'notebooks' / 'todo' / '__init__.py'}"


def test_a_course_without_the_app_says_which_lesson_writes_it(tmp_path):
    out = run("import labsupport; labsupport.import_todo()", TORNADO_LAB_ROOT=str(tmp_path))
    assert out.returncode == 1
    assert f"There is no to-do app in {tmp_path.resolve() / 'notebooks' / 'todo'}" in out.stderr
    assert "Run the %%writefile cells of lesson 08 first" in out.stderr
