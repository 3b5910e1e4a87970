"""The files the lessons' ``%%writefile`` cells write, lesson by lesson, and what a lesson changed.

Lessons 08-10 build the to-do app step by step: a lesson writes new files, grows one with
``%%writefile -a``, or writes one again. This module replays those cells from the notebooks
(without running them), so a lesson can show what it changed in a file since an earlier one.
Example, in lesson 09, after the cells that write ``todo/app.py`` again::

    labsupport.show_changes("todo/app.py", since="08")
"""

from __future__ import annotations

import difflib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from .errors import LabError
from .paths import course_path

__all__ = ["Write", "files_after", "lesson_notebooks", "show_changes", "writes"]


@dataclass(frozen=True)
class Write:
    """One ``%%writefile`` cell: its target (``todo/app.py``), whether it appends, and the text it writes."""

    target: str
    append: bool
    text: str


def lesson_notebooks(folder: str | os.PathLike | None = None) -> list[Path]:
    """The numbered lessons (``08-start-the-to-do-app.ipynb``, ...) in ``notebooks/``, in order."""
    folder = Path(folder) if folder is not None else course_path("notebooks")
    return sorted(folder.glob("[0-9][0-9]*-*.ipynb"))


def writes(notebook: str | os.PathLike) -> list[Write]:
    """Every ``%%writefile`` cell of ``notebook``, in order, with the text IPython writes."""
    found = []
    for cell in json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        first, _, body = source.partition("\n")
        words = first.split()
        if cell["cell_type"] == "code" and words and words[0] == "%%writefile":
            # IPython ends a cell with a newline before the magic writes it
            found.append(Write(words[-1], "-a" in words[1:-1] or "--append" in words[1:-1],
                               body if body.endswith("\n") else body + "\n"))
    return found


def files_after(lesson: str, *, folder: str | os.PathLike | None = None) -> dict[str, str]:
    """{target: text} as the cells of every lesson up to ``lesson`` (``"09"``) leave them, run in order."""
    notebooks = lesson_notebooks(folder)
    if not any(path.name.startswith(f"{lesson}-") for path in notebooks):
        raise LabError(f"There is no lesson {lesson!r}: the lessons are "
                       f"{', '.join(path.name.split('-')[0] for path in notebooks)}.")
    files: dict[str, str] = {}
    for path in notebooks:
        for write in writes(path):
            files[write.target] = files.get(write.target, "") + write.text if write.append else write.text
        if path.name.startswith(f"{lesson}-"):
            return files
    raise AssertionError("unreachable")


def show_changes(target: str, *, since: str, folder: str | os.PathLike | None = None) -> None:
    """Print how ``target`` (``"todo/app.py"``, relative to ``notebooks/``) differs from what lesson ``since`` wrote.

    Lines that start with ``+`` are new, ``-`` are gone; one unchanged line is shown around each change.
    """
    notebooks = Path(folder) if folder is not None else course_path("notebooks")
    earlier = files_after(since, folder=notebooks).get(target)
    if earlier is None:
        raise LabError(f"Lesson {since} and the lessons before it do not write {target}.")
    try:
        now = (notebooks / target).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LabError(f"There is no {target} in {notebooks}: run the %%writefile cells above first.") from None
    diff = list(difflib.unified_diff(earlier.splitlines(), now.splitlines(), f"{target} after lesson {since}",
                                     f"{target} now", n=1, lineterm=""))
    print("\n".join(diff) if diff else f"{target} is as lesson {since} left it.")
