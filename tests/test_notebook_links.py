"""Every relative link in a lesson or exercise opens in JupyterLab, whose root is the course folder."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest

from .conftest import ROOT

NOTEBOOKS = sorted([*(ROOT / "notebooks").glob("*.ipynb"), *(ROOT / "exercises").glob("*.ipynb"),
                    *(ROOT / "exercises" / "solutions").glob("*.ipynb")])
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]*-*.ipynb"))
_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?[^)]*\)|href=[\"']([^\"']+)[\"']")


def relative_links(path: Path) -> list[str]:
    """The link targets in a notebook's markdown cells that point at files, not at the web."""
    links = []
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "markdown":
            links += [a or b for a, b in _LINK.findall(cell.source)]
    return [link for link in links if not urlsplit(link).scheme and not link.startswith(("#", "/"))]


def broken(path: Path, root: Path = ROOT) -> list[str]:
    """Links of ``path`` whose target is missing, or outside ``root`` (JupyterLab cannot open those)."""
    bad = []
    for link in relative_links(path):
        target = (path.parent / unquote(urlsplit(link).path)).resolve()
        if not target.exists() or not target.is_relative_to(root):
            bad.append(link)
    return bad


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[f"{p.parent.name}/{p.stem}" for p in NOTEBOOKS])
def test_every_relative_link_opens(path):
    assert broken(path) == []


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_a_lesson_with_exercises_links_to_them(path):
    exercise = ROOT / "exercises" / path.name
    if not exercise.exists():
        pytest.skip(f"{path.stem} has no exercises")
    assert f"../exercises/{path.name}" in relative_links(path)


def test_broken_links_are_found(tmp_path):
    lesson = tmp_path / "notebooks" / "01-x.ipynb"
    lesson.parent.mkdir()
    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises" / "01-x.ipynb").write_text("{}")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "[ok](../exercises/01-x.ipynb) [gone](../exercises/02-y.ipynb) <a href='../../outside.txt'>out</a> "
        "[web](https://www.tornadoweb.org/) [anchor](#key-points)")])
    nbformat.write(notebook, lesson)
    (tmp_path.parent / "outside.txt").write_text("")
    assert broken(lesson, root=tmp_path) == ["../exercises/02-y.ipynb", "../../outside.txt"]
