"""What a learner writes in a lesson has one source: the lesson's ``%%writefile`` cells.

Every file a lesson writes (``hello_app.py``, ``profile_app.py``, the to-do app in ``todo/``) is
written by exactly one cell, which later ``%%writefile -a`` cells of the same lesson may grow, and the
committed file is exactly what those cells write, so running the lessons can never change what the
course ships. Every file of ``notebooks/todo/`` has a cell.
"""

from __future__ import annotations

import collections

import nbformat
import pytest

from .conftest import ROOT

NOTEBOOKS = ROOT / "notebooks"
APP = NOTEBOOKS / "todo"


def written_files(prefix: str = "") -> dict[str, list[tuple[str, str]]]:
    """{path: [(notebook, text written), ...]} for every %%writefile cell whose target starts with ``prefix``."""
    found: dict[str, list[tuple[str, str]]] = collections.defaultdict(list)
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]*-*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            first, _, body = cell.source.partition("\n")
            if cell.cell_type == "code" and first.startswith("%%writefile"):
                target = first.split()[-1]
                if target.startswith(prefix):
                    # IPython ends the cell with a newline before the magic writes it
                    text = body if body.endswith("\n") else body + "\n"
                    if first.split()[1:2] == ["-a"] and found[target] and found[target][-1][0] == path.name:
                        found[target][-1] = (path.name, found[target][-1][1] + text)  # grows the file above
                    else:
                        found[target].append((path.name, text))
    return found


def test_lessons_write_the_app_and_the_first_servers():
    assert len(written_files("todo/")) >= 10
    assert {"hello_app.py", "profile_app.py"} <= set(written_files())


def test_every_app_file_is_written_by_exactly_one_cell():
    written = written_files("todo/")
    on_disk = sorted(f"todo/{p.relative_to(APP).as_posix()}" for p in APP.rglob("*.py"))
    assert sorted(written) == on_disk, "a file in notebooks/todo/ that no lesson writes, or the reverse"
    twice = {target: [name for name, _ in cells] for target, cells in written_files().items() if len(cells) > 1}
    assert twice == {}, "a file written by more than one cell: the lessons would fight over it"


@pytest.mark.parametrize("target", sorted(written_files()))
def test_committed_file_is_what_the_lesson_writes(target):
    (notebook, text), = written_files()[target]
    assert (NOTEBOOKS / target).read_text() == text, (
        f"{target} differs from what {notebook} writes: edit the cell, then run the lesson")
