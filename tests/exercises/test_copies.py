"""Tests for labsupport.exercises: stubbing solution regions, cleared outputs, determinism, staleness."""

from __future__ import annotations

import copy

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from labsupport.__main__ import main
from labsupport.exercises import SolutionMarkerError, generate, make_learner_copy, stale

from ..conftest import ROOT

TWO_REGIONS = """\
class GreetHandler(tornado.web.RequestHandler):
    def get(self, name):
        ### BEGIN SOLUTION
        self.write(f"Hello, {name}!")
        ### END SOLUTION

    def post(self, name):
        name = name.title()  # kept: outside any region
      ### BEGIN SOLUTION
        self.write(name)
      ### END SOLUTION
### BEGIN SOLUTION
app = make_app()
### END SOLUTION
"""

TWO_STUBS = """\
class GreetHandler(tornado.web.RequestHandler):
    def get(self, name):
        # YOUR CODE HERE
        raise NotImplementedError()

    def post(self, name):
        name = name.title()  # kept: outside any region
      # YOUR CODE HERE
      raise NotImplementedError()
# YOUR CODE HERE
raise NotImplementedError()
"""


def solution_notebook(source: str = TWO_REGIONS) -> nbformat.NotebookNode:
    """A small solution notebook, run once: outputs and execution counts everywhere."""
    setup = new_code_cell("import tornado.web", execution_count=1)
    answer = new_code_cell(source, execution_count=2, metadata={"tags": ["solution"]})
    answer.outputs = [new_output("stream", name="stdout", text="the answer ran\n")]
    check = new_code_cell('await labsupport.check("greet-handler", GreetHandler)', execution_count=3,
                          metadata={"tags": ["check"], "labsupport": {"task": "greet-handler"}})
    check.outputs = [new_output("stream", name="stdout", text="✔ greet-handler passed\n")]
    nb = new_notebook(cells=[new_markdown_cell("# Greet"), setup, answer, check],
                      metadata={"labsupport": {"exercise": "98-greet"}, "kernelspec": {"name": "python3", "display_name": "Python 3"}})
    for number, cell in enumerate(nb.cells):
        cell.id = f"c{number:02d}"
    return nb


@pytest.fixture
def solutions(tmp_path):
    folder = tmp_path / "solutions"
    folder.mkdir()
    nbformat.write(solution_notebook(), folder / "98-greet.ipynb")
    nbformat.write(solution_notebook("def add(a, b):\n    ### BEGIN SOLUTION\n    return a + b\n"
                                     "    ### END SOLUTION"), folder / "97-add.ipynb")
    return folder


def test_every_region_becomes_a_stub_at_its_markers_indentation():
    learner = make_learner_copy(solution_notebook())
    assert learner.cells[2].source == TWO_STUBS


def test_outputs_are_cleared_and_everything_else_is_kept():
    solution = solution_notebook()
    before = copy.deepcopy(solution)
    learner = make_learner_copy(solution)
    assert solution == before, "make_learner_copy changed its argument"
    assert all(c.outputs == [] and c.execution_count is None for c in learner.cells if c.cell_type == "code")
    assert [c.id for c in learner.cells] == ["c00", "c01", "c02", "c03"]
    assert [c.metadata for c in learner.cells] == [c.metadata for c in solution.cells]
    assert learner.metadata == solution.metadata
    assert [c.source for c in learner.cells if c.id != "c02"] == [c.source for c in solution.cells if c.id != "c02"]


@pytest.mark.parametrize("source, message", [
    ("def f():\n    ### BEGIN SOLUTION\n    return 1\n", "line 2 has '### BEGIN SOLUTION' without an"),
    ("def f():\n    return 1\n    ### END SOLUTION\n", "line 3 has '### END SOLUTION' without a"),
    ("### BEGIN SOLUTION\na = 1\n### BEGIN SOLUTION\nb = 2\n### END SOLUTION\n", "opens a second"),
    ("def f():\n    return 1\n", "has no '### BEGIN SOLUTION'"),
])
def test_unmatched_markers_are_an_error_that_names_the_cell_and_line(source, message):
    with pytest.raises(SolutionMarkerError, match="cell 2 \\(id c02\\)") as raised:
        make_learner_copy(solution_notebook(source))
    assert message in str(raised.value)


def test_markers_in_an_untagged_cell_are_an_error_not_a_leak():
    nb = solution_notebook()
    nb.cells[2].metadata["tags"] = []
    with pytest.raises(SolutionMarkerError, match="add the tag 'solution'"):
        make_learner_copy(nb)


def test_generate_names_the_notebook_with_bad_markers(tmp_path, solutions):
    nbformat.write(solution_notebook("### BEGIN SOLUTION\nx = 1\n"), solutions / "96-broken.ipynb")
    with pytest.raises(SolutionMarkerError, match="^96-broken.ipynb: cell 2"):
        generate(solutions, tmp_path / "out")


def test_generate_writes_the_same_bytes_every_time(tmp_path, solutions):
    first = generate(solutions, tmp_path / "a")
    second = generate(solutions, tmp_path / "b")
    assert [p.name for p in first] == ["97-add.ipynb", "98-greet.ipynb"]
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes() and a.read_bytes().endswith(b"}\n")
    learner = nbformat.read(first[0], as_version=4)
    assert learner.cells[2].source == "def add(a, b):\n    # YOUR CODE HERE\n    raise NotImplementedError()"


def test_stale_finds_a_hand_edited_and_a_missing_copy(tmp_path, solutions):
    out = tmp_path / "exercises"
    assert stale(solutions, out) == ["97-add.ipynb", "98-greet.ipynb"]
    generate(solutions, out)
    assert stale(solutions, out) == []
    edited = nbformat.read(out / "98-greet.ipynb", as_version=4)
    edited.cells[0].source = "# Greet (edited by hand)"
    nbformat.write(edited, out / "98-greet.ipynb")
    (out / "97-add.ipynb").unlink()
    assert stale(solutions, out) == ["97-add.ipynb", "98-greet.ipynb"]


def test_a_cell_without_an_id_is_an_error_not_a_random_id(tmp_path, solutions):
    text = (solutions / "97-add.ipynb").read_text().replace('"id": "c01",', "")
    (solutions / "97-add.ipynb").write_text(text)
    with pytest.raises(SolutionMarkerError, match="97-add.ipynb: cells 1 have no id"):
        stale(solutions, tmp_path)


def test_command_line_check_then_regenerate(tmp_path, solutions, capsys):
    out = tmp_path / "exercises"
    args = ["exercises", "--solutions", str(solutions), "--out", str(out)]
    assert main([*args, "--check"]) == 1
    assert "stale: 97-add.ipynb" in capsys.readouterr().out
    assert not out.exists(), "--check must write nothing"
    assert main(args) == 0
    assert main([*args, "--check"]) == 0
    assert "Every learner copy matches its solution." in capsys.readouterr().out


def test_committed_learner_copies_match_their_solutions():
    names = stale(ROOT / "exercises" / "solutions", ROOT / "exercises")
    assert names == [], f"stale learner copies {names}: run `python -m labsupport exercises` and commit"
