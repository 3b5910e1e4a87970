"""The README's lesson table gives each lesson's minutes exactly as the lesson's own Time line does."""

from __future__ import annotations

import re

import nbformat
import pytest

from .conftest import ROOT

LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]*-*.ipynb"))
ROWS = dict(re.findall(r"^\| \[[^\]]+\]\(notebooks/([^)]+\.ipynb)\) \| (\d+ \+ \d+) min \|$",
                       (ROOT / "README.md").read_text(), re.M))


@pytest.mark.parametrize("path", LESSONS, ids=lambda path: path.name[:3])
def test_the_readme_row_matches_the_lessons_time_line(path):
    text = "\n".join(cell.source for cell in nbformat.read(path, as_version=4).cells[:3] if cell.cell_type == "markdown")
    time = re.search(r"\*\*Time:\*\* teaching (\d+) min · (?:exercises (\d+) min|no exercises)", text)
    assert time, f"{path.name} has no '**Time:** teaching N min · exercises M min' line"
    teaching, exercises = time.group(1), time.group(2) or "0"
    assert ROWS.get(path.name) == f"{teaching} + {exercises}", f"README.md's row for {path.name}"
