"""What a learner writes in a lesson has one source: the lesson's ``%%writefile`` cells.

Every file a lesson writes (``hello_app.py``, ``profile_app.py``, the to-do app in ``todo/``) is
written by its lessons' cells, replayed in lesson order: a cell writes a file, the
``%%writefile -a`` cells after it grow it, and a later lesson may write it again (lessons 09 and 10
write ``todo/app.py`` again, with the changes shown). The committed file is what the last lesson
leaves, so running the lessons in order can never change what the course ships. Every file of
``notebooks/todo/`` has a cell. What each stage of the app does is tested in test_todo_stages.py.
"""

from __future__ import annotations

import re

import nbformat
import pytest

from labsupport.lesson_files import files_after, lesson_notebooks, writes

from .conftest import ROOT

NOTEBOOKS = ROOT / "notebooks"
APP = NOTEBOOKS / "todo"
LAST = lesson_notebooks(NOTEBOOKS)[-1].name.split("-")[0]
TO_DO_LESSONS = ("08", "09", "10", "11", "12")


def lesson(number: str):
    (path,) = NOTEBOOKS.glob(f"{number}-*.ipynb")
    return path


def test_lessons_write_the_app_and_the_first_servers():
    assert len([target for target in files_after(LAST, folder=NOTEBOOKS) if target.startswith("todo/")]) >= 10
    assert {"hello_app.py", "profile_app.py"} <= set(files_after(LAST, folder=NOTEBOOKS))


def test_every_app_file_is_written_by_a_lesson():
    written = sorted(target for target in files_after(LAST, folder=NOTEBOOKS) if target.startswith("todo/"))
    on_disk = sorted(f"todo/{p.relative_to(APP).as_posix()}" for p in APP.rglob("*") if p.is_file()
                     and "__pycache__" not in p.parts and p.suffix not in (".mo", ".tmp", ".pyc"))  # .mo: built at start
    assert written == on_disk, "a file in notebooks/todo/ that no lesson writes, or the reverse"


@pytest.mark.parametrize("target", sorted(files_after(LAST, folder=NOTEBOOKS)))
def test_committed_file_is_what_the_lessons_leave(target):
    assert (NOTEBOOKS / target).read_text() == files_after(LAST, folder=NOTEBOOKS)[target], (
        f"{target} differs from what the lessons' cells write, run in order: edit the cells, then run the lessons")


def test_a_file_is_appended_to_only_after_a_cell_wrote_it():
    seen: set[str] = set()
    for path in lesson_notebooks(NOTEBOOKS):
        for write in writes(path):
            assert not write.append or write.target in seen, f"{path.name} appends to {write.target} first"
            seen.add(write.target)


@pytest.mark.parametrize("number", TO_DO_LESSONS)
def test_a_lesson_writes_only_its_own_stage(number):
    """Lesson 08 writes no database or accounts; lesson 09 no accounts: each stage is what it teaches."""
    later = {"08": ("database", "models", "tasks", "accounts", "passwords", "cookie_secret", "/tasks"),
             "09": ("accounts", "passwords", "cookie_secret", "login", "RegisterView")}.get(number, ())
    if number < "12":  # how lesson 12 runs the app in production
        later += ("fork_processes", "shutdown_timeout", "xheaders", "in_progress", "check_owner")
    stage = {target: text for target, text in files_after(number, folder=NOTEBOOKS).items()
             if target.startswith("todo/")}
    for target, text in stage.items():
        for word in later:
            assert word not in target, f"lesson {number}'s stage has {target}"
            code = re.sub(r'""".*?"""|#.*', "", text, flags=re.S)  # a docstring may say what comes later
            assert word not in code, f"{target} after lesson {number} mentions {word!r} outside comments"


@pytest.mark.parametrize("path", lesson_notebooks(NOTEBOOKS), ids=lambda path: path.name[:3])
def test_no_code_cell_is_a_wall_of_code(path):
    """A learner reads every cell: none over 15 lines, and a long module is written a piece at a time."""
    long = {cell.get("id"): len(cell.source.splitlines()) for cell in nbformat.read(path, as_version=4).cells
            if cell.cell_type == "code" and len(cell.source.splitlines()) > 15}
    assert long == {}, f"{path.name}: code cells over 15 lines (cell id: lines)"


@pytest.mark.parametrize("number", TO_DO_LESSONS)
def test_each_to_do_lesson_writes_part_of_the_app(number):
    assert any(write.target.startswith("todo/") for write in writes(lesson(number)))
