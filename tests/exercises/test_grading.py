"""Tests for labsupport.exercises.grading: real nbval runs of small fixture notebooks, and the scoreboard."""

from __future__ import annotations

import csv
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import nbformat
import psutil
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from labsupport.__main__ import main
from labsupport.exercises import make_learner_copy
from labsupport.exercises.grading import GradingError, Scoreboard, TaskResult, grade

from ..conftest import ROOT

ADD = "def add(a, b):\n    ### BEGIN SOLUTION\n    return a + b\n    ### END SOLUTION"
DOUBLE = "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"


def check_cell(task: str, call: str, expected: str) -> nbformat.NotebookNode:
    """A check cell that needs no labsupport: plain asserts, then the pass line."""
    source = f'assert {call} == {expected}, "{call} should be {expected}"\nprint("✔ {task} passed")'
    return new_code_cell(source, metadata={"tags": ["check"], "labsupport": {"task": task}})


def fixture_solution() -> nbformat.NotebookNode:
    """Exercise 99-fixture: markdown between code cells, so nbval's code-cell count != cell index."""
    return new_notebook(cells=[
        new_markdown_cell("# Fixture exercise"),
        new_markdown_cell("## Task 1: add"),
        new_code_cell(ADD, metadata={"tags": ["solution"]}),
        check_cell("add", "add(2, 3)", "5"),
        new_markdown_cell("## Task 2: double"),
        new_code_cell(DOUBLE, metadata={"tags": ["solution"]}),
        check_cell("double", "double(4)", "8"),
    ], metadata={"labsupport": {"exercise": "99-fixture"}})


def submission(*, add: str | None = None, double: str | None = None, metadata: bool = True):
    """The solution with the answer cells replaced; the answers are plain code (no markers)."""
    nb = fixture_solution()
    nb.cells[2].source = add or "def add(a, b):\n    return a + b"
    nb.cells[5].source = double or "def double(x):\n    return 2 * x"
    if not metadata:
        nb.metadata = {}
    return nb


def write(nb, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def solutions(tmp_path_factory):
    folder = tmp_path_factory.mktemp("solutions")
    write(fixture_solution(), folder / "99-fixture.ipynb")
    return folder


def by_task(board: Scoreboard, notebook_name: str) -> dict[str, TaskResult]:
    rows = {row.task: row for row in board if row.notebook.endswith(notebook_name)}
    assert rows, f"no rows for {notebook_name} in\n{board}"
    return rows


@pytest.fixture(scope="module")
def graded(tmp_path_factory, solutions):
    """One grading run over every kind of submission (they run two at a time)."""
    subs = tmp_path_factory.mktemp("submissions")
    write(submission(), subs / "good.ipynb")
    write(make_learner_copy(fixture_solution()), subs / "learner.ipynb")
    partial = write(submission(double="def double(x):\n    return x + x + 1", metadata=False),
                    subs / "partial" / "99-fixture.ipynb")
    write(submission(), partial.parent / ".ipynb_checkpoints" / "99-fixture-checkpoint.ipynb")
    weakened = submission(double="def double(x):\n    return 0")
    weakened.cells[3].source = 'print("✔ add passed")'
    weakened.cells[6].source = 'print("✔ double passed")  # NBVAL_RAISES_EXCEPTION'
    weakened.cells[6].metadata["tags"].append("raises-exception")
    write(weakened, subs / "weakened.ipynb")
    missing = submission()
    del missing.cells[6]
    write(missing, subs / "missing.ipynb")
    write(submission(add="def add(a, b):\n    import time\n    time.sleep(600)",
                     double="import time; time.sleep(600)\ndef double(x):\n    return 2 * x"), subs / "hung.ipynb")
    write(submission(add="def add(a, b):\n    import os\n    os._exit(1)"), subs / "crash.ipynb")
    (subs / "broken").mkdir()
    (subs / "broken" / "99-fixture.ipynb").write_text("{this is not json")
    write(new_notebook(cells=[new_code_cell("1 + 1")]), subs / "stranger.ipynb")
    started = time.monotonic()
    board = grade([subs], solutions_dir=solutions, cell_timeout=8, jobs=2)
    return board, time.monotonic() - started


def test_a_good_submission_passes_every_task(graded):
    rows = by_task(graded[0], "good.ipynb")
    assert [(r.task, r.status, r.reason) for r in rows.values()] == [("add", "pass", ""), ("double", "pass", "")]


def test_the_generated_learner_copy_fails_every_task(graded):
    rows = by_task(graded[0], "learner.ipynb")
    assert {r.status for r in rows.values()} == {"fail"}
    assert "NotImplementedError" in rows["add"].reason


def test_a_partial_submission_found_by_file_name_passes_one_task(graded):
    rows = by_task(graded[0], "partial/99-fixture.ipynb")
    assert rows["add"].status == "pass"
    assert (rows["double"].status, rows["double"].reason) == ("fail", "AssertionError: double(4) should be 8")
    assert not any("ipynb_checkpoints" in row.notebook for row in graded[0])


def test_a_weakened_check_cell_is_restored_from_the_solution(graded):
    rows = by_task(graded[0], "weakened.ipynb")
    assert rows["add"].status == "pass"
    assert (rows["double"].status, rows["double"].reason) == ("fail", "AssertionError: double(4) should be 8")


def test_a_missing_check_cell_is_reported(graded):
    rows = by_task(graded[0], "missing.ipynb")
    assert (rows["add"].status, rows["double"].status, rows["double"].reason) == ("pass", "missing", "check cell missing")


def test_a_hung_check_and_a_hung_answer_cell_time_out_and_later_cells_still_run(graded):
    rows = by_task(graded[0], "hung.ipynb")
    assert (rows["add"].status, rows["add"].reason) == ("timeout", "took longer than 8 s")
    assert (rows["double"].status, rows["double"].reason) == (
        "timeout", "an earlier cell timed out: `import time; time.sleep(600)`")


def test_a_dead_kernel_is_an_error_for_this_and_later_tasks(graded):
    rows = by_task(graded[0], "crash.ipynb")
    assert (rows["add"].status, rows["double"].status) == ("error", "error")
    assert rows["add"].reason == "The kernel died (exit code 1) while running this check"
    assert rows["double"].reason == ('The kernel died (exit code 1) while running an earlier cell '
                                     '`assert add(2, 3) == 5, "add(2, 3) should be 5"`')


def test_unreadable_and_unknown_notebooks_are_errors(graded):
    rows = by_task(graded[0], "broken/99-fixture.ipynb")
    assert {r.status for r in rows.values()} == {"error"}
    assert rows["add"].reason.startswith("cannot read the notebook")
    stranger = by_task(graded[0], "stranger.ipynb")["-"]
    assert (stranger.status, stranger.reason.split(":")[0]) == ("error", "no solution for exercise 'stranger'")


def test_scoreboard_text_and_files(graded, tmp_path):
    board = graded[0]
    assert not board.ok
    text = str(board)
    assert "good.ipynb: 2/2 passed\n  ✔ add\n  ✔ double" in text
    assert "hung.ipynb: 0/2 passed (2 timeout)\n  ⏱ add: took longer than 8 s\n  ⏱ double: an earlier" in text
    rows = list(csv.DictReader(board.write_csv(tmp_path / "grades.csv").open(encoding="utf-8")))
    assert [list(row) for row in rows[:1]] == [["notebook", "task", "status", "reason"]]
    assert [(r["task"], r["status"], r["reason"]) for r in rows] == [(r.task, r.status, r.reason) for r in board]
    suites = ET.parse(board.write_junit(tmp_path / "grades.xml")).getroot()
    assert len(suites.findall("testsuite")) == len(board.by_notebook())
    partial = next(s for s in suites if s.get("name").endswith("partial/99-fixture.ipynb"))
    assert (partial.get("tests"), partial.get("failures")) == ("2", "1")
    failure = partial.find("testcase[@name='double']/failure")
    assert failure.get("message") == failure.text == "AssertionError: double(4) should be 8"
    assert partial.find("testcase[@name='add']/failure") is None


def test_scoreboard_ok_and_html_escape():
    board = Scoreboard([TaskResult("a.ipynb", "t1", "pass"), TaskResult("a.ipynb", "t2", "fail", "<b> & co")])
    assert not board.ok and Scoreboard(board[:1]).ok
    assert "&lt;b&gt; &amp; co" in board._repr_html_() and "<b> & co" not in board._repr_html_()
    assert str(board) == "a.ipynb: 1/2 passed (1 fail)\n  ✔ t1\n  ✘ t2: <b> & co"


def test_a_notebook_past_its_time_limit_is_killed_while_others_are_graded(tmp_path, solutions):
    pid_file = tmp_path / "kernel.pid"
    stuck = ("def add(a, b):\n    return a + b\n\nimport os, signal, time\n"
             f"open({str(pid_file)!r}, 'w').write(str(os.getpid()))\n"
             "signal.signal(signal.SIGINT, signal.SIG_IGN)  # nbval cannot interrupt this cell\n"
             "time.sleep(600)")
    write(submission(add=stuck), tmp_path / "stuck.ipynb")
    write(submission(), tmp_path / "fine.ipynb")
    started = time.monotonic()
    board = grade([tmp_path / "stuck.ipynb", tmp_path / "fine.ipynb"], solutions_dir=solutions,
                  cell_timeout=60, notebook_timeout=20, jobs=2)
    assert time.monotonic() - started < 60
    stuck_rows = by_task(board, "stuck.ipynb")
    assert {r.status for r in stuck_rows.values()} == {"timeout"}
    assert stuck_rows["add"].reason == "stopped: the notebook ran longer than 20 s in total"
    assert {r.status for r in by_task(board, "fine.ipynb").values()} == {"pass"}
    kernel = int(pid_file.read_text())
    assert not psutil.pid_exists(kernel) or psutil.Process(kernel).status() == psutil.STATUS_ZOMBIE, \
        "the stuck notebook's kernel survived the kill"


def test_nothing_to_grade_is_an_error_that_says_what_to_give(tmp_path):
    with pytest.raises(GradingError, match="No notebooks found"):
        grade([tmp_path])
    with pytest.raises(GradingError, match="neither a notebook nor a folder"):
        grade([tmp_path / "nope.ipynb"])


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "labsupport", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


def test_command_line_exit_status_and_files(tmp_path, solutions):
    good = write(submission(), tmp_path / "good.ipynb")
    bad = write(submission(double="def double(x):\n    return x"), tmp_path / "bad.ipynb")
    common = ["--solutions", str(solutions), "--cell-timeout", "10", "--jobs", "2"]
    failing = cli("grade", str(good), str(bad), *common, "--csv", str(tmp_path / "g.csv"),
                  "--junit-xml", str(tmp_path / "g.xml"))
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "✘ double: AssertionError: double(4) should be 8" in failing.stdout
    assert len(list(csv.DictReader((tmp_path / "g.csv").open()))) == 4
    assert len(ET.parse(tmp_path / "g.xml").getroot().findall("testsuite")) == 2
    assert "good.ipynb: 2/2 passed" in failing.stdout


def test_command_line_exits_0_when_every_task_passed(monkeypatch, capsys, tmp_path):
    seen = {}

    def fake_grade(paths, **options):  # the real run is covered above; this is the exit status
        seen.update(options, paths=paths)
        return Scoreboard([TaskResult("a.ipynb", "add", "pass")])

    monkeypatch.setattr("labsupport.exercises.grading.grade", fake_grade)
    assert main(["grade", "a.ipynb", "--cell-timeout", "5", "--solutions", "sol", "--jobs", "3"]) == 0
    assert seen == {"paths": ["a.ipynb"], "solutions_dir": "sol", "cell_timeout": 5.0, "jobs": 3}
    assert capsys.readouterr().out == "a.ipynb: 1/1 passed\n  ✔ add\n"


def test_command_line_says_what_to_give_when_there_is_nothing_to_grade(tmp_path, capsys):
    assert main(["grade", str(tmp_path / "nope")]) == 2
    assert "neither a notebook nor a folder" in capsys.readouterr().err
