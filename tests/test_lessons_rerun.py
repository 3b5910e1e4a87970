"""Every lesson and exercise solution survives being run twice in one kernel, and leaves no process behind."""

from __future__ import annotations

import copy

import nbformat
import psutil
import pytest
from nbclient import NotebookClient

from .conftest import ROOT

LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]*-*.ipynb"))
NOTEBOOKS = LESSONS + sorted((ROOT / "exercises" / "solutions").glob("[0-9][0-9]*-*.ipynb"))


def test_there_are_lessons():
    assert len(LESSONS) >= 3


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[f"{p.parent.name}/{p.stem}" for p in NOTEBOOKS])
def test_lesson_runs_twice_in_one_kernel(path):
    notebook = nbformat.read(path, as_version=4)
    twice = copy.deepcopy(notebook)
    twice.cells = notebook.cells + copy.deepcopy(notebook.cells)
    for index, cell in enumerate(twice.cells):
        cell["id"] = f"run-{index}"  # ids must stay unique in the doubled notebook
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    client = NotebookClient(twice, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError on any error not tagged raises-exception
    errors = [out for cell in twice.cells if cell.cell_type == "code"
              for out in cell.get("outputs", []) if out.output_type == "error"
              and "raises-exception" not in cell.metadata.get("tags", [])]
    assert errors == []
    left = [p for p in psutil.Process().children(recursive=True)
            if p.pid not in before and p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert left == [], f"the lesson left processes behind: {[p.cmdline()[:4] for p in left]}"
