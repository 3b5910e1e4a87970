"""labsupport.lesson_files: replaying %%writefile cells lesson by lesson, and showing what changed."""

from __future__ import annotations

import json

import pytest

from labsupport import LabError
from labsupport.lesson_files import files_after, show_changes, writes


def notebook(folder, name: str, *sources: str) -> None:
    cells = [{"cell_type": "code", "id": f"c{i}", "metadata": {}, "outputs": [], "execution_count": None,
              "source": source} for i, source in enumerate(sources)]
    cells.insert(0, {"cell_type": "markdown", "id": "m", "metadata": {}, "source": "%%writefile not/code.py\nx"})
    (folder / name).write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))


@pytest.fixture
def lessons(tmp_path):
    notebook(tmp_path, "01-first.ipynb", "%%writefile app/a.py\nA = 1", "%%writefile -a app/a.py\nB = 2\n",
             "print('not a write')")
    notebook(tmp_path, "02-second.ipynb", "%%writefile app/a.py\nA = 1\nC = 3", "%%writefile app/b.py\nX = 0",
             "%%writefile --append app/b.py\nY = 1")
    return tmp_path


def test_writes_are_the_cells_text_with_a_final_newline(lessons):
    found = writes(lessons / "01-first.ipynb")
    assert [(w.target, w.append, w.text) for w in found] == [("app/a.py", False, "A = 1\n"), ("app/a.py", True, "B = 2\n")]


def test_files_after_replays_lessons_in_order(lessons):
    assert files_after("01", folder=lessons) == {"app/a.py": "A = 1\nB = 2\n"}
    assert files_after("02", folder=lessons) == {"app/a.py": "A = 1\nC = 3\n", "app/b.py": "X = 0\nY = 1\n"}
    with pytest.raises(LabError, match="There is no lesson '03': the lessons are 01, 02"):
        files_after("03", folder=lessons)


def test_show_changes_prints_a_diff_against_the_earlier_lesson(lessons, capsys):
    (lessons / "app").mkdir()
    (lessons / "app" / "a.py").write_text("A = 1\nC = 3\n")
    show_changes("app/a.py", since="01", folder=lessons)
    assert capsys.readouterr().out.splitlines() == [
        "--- app/a.py after lesson 01", "+++ app/a.py now", "@@ -1,2 +1,2 @@", " A = 1", "-B = 2", "+C = 3"]
    (lessons / "app" / "a.py").write_text("A = 1\nB = 2\n")
    show_changes("app/a.py", since="01", folder=lessons)
    assert capsys.readouterr().out == "app/a.py is as lesson 01 left it.\n"


def test_show_changes_says_what_is_missing(lessons):
    with pytest.raises(LabError, match="Lesson 01 and the lessons before it do not write app/b.py"):
        show_changes("app/b.py", since="01", folder=lessons)
    with pytest.raises(LabError, match="There is no app/a.py in .*: run the %%writefile cells above first"):
        show_changes("app/a.py", since="01", folder=lessons)
