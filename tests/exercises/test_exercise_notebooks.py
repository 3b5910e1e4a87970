"""The course's own exercises, graded for real: solutions pass, stubs fail, each wrong answer is caught."""

from __future__ import annotations

import nbformat
import pytest

from labsupport.exercises import stale
from labsupport.exercises.grading import grade

from ..conftest import ROOT

EXERCISES = ROOT / "exercises"
SOLUTIONS = EXERCISES / "solutions"
WRONG = ROOT / "tests" / "exercises" / "wrong_answers"


def wrong_answer(task: str) -> str:
    """The task's wrong answer: ``wrong_answers/<task>.py``, or the first of ``wrong_answers/<task>/``."""
    single = WRONG / f"{task}.py"
    return single.read_text() if single.exists() else sorted((WRONG / task).glob("*.py"))[0].read_text()


def tasks_with_wrong_answers() -> set[str]:
    return {p.stem for p in WRONG.glob("*.py")} | {p.name for p in WRONG.iterdir() if any(p.glob("*.py"))}


def with_wrong_answer(task: str, folder) -> str:
    """Copy the solution holding ``task`` with the answer cell before its check replaced by the wrong answer."""
    for path in sorted(SOLUTIONS.glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        for index, cell in enumerate(notebook.cells):
            if cell.metadata.get("labsupport", {}).get("task") == task:
                answer = next(c for c in reversed(notebook.cells[:index]) if "solution" in c.metadata.get("tags", []))
                answer.source = wrong_answer(task)
                target = folder / f"wrong-{task}.ipynb"
                nbformat.write(notebook, target)
                return target.name
    raise AssertionError(f"no check cell for task {task!r}")


def test_learner_copies_are_generated_from_the_solutions():
    assert stale(SOLUTIONS, EXERCISES) == [], "run: python3 course.py exercises"


def first_task_of_each_exercise() -> list[str]:
    """One task per solution notebook: a whole notebook is graded for each wrong answer, and
    tests/exercises/test_checks.py already proves every wrong answer is caught with its hint."""
    firsts = []
    for path in sorted(SOLUTIONS.glob("*.ipynb")):
        tasks = [cell.metadata["labsupport"]["task"] for cell in nbformat.read(path, as_version=4).cells
                 if "task" in cell.metadata.get("labsupport", {})]
        firsts.append(tasks[0])
    return firsts


@pytest.mark.timeout(900)  # about 30 notebooks through nbval, two at a time
def test_grading_solutions_stubs_and_wrong_answers(tmp_path):
    every_task = sorted(tasks_with_wrong_answers())
    tasks = first_task_of_each_exercise()
    wrong = {with_wrong_answer(task, tmp_path): task for task in tasks}
    board = grade([SOLUTIONS, *sorted(EXERCISES.glob("*.ipynb")), tmp_path], cell_timeout=30, jobs=2)
    rows = board.by_notebook()
    solutions = [name for name in rows if name.startswith("exercises/solutions/")]
    copies = [name for name in rows if name.startswith("exercises/") and name not in solutions]
    count = len(list(SOLUTIONS.glob("*.ipynb")))
    assert len(solutions) == len(copies) == count >= 4 and len(rows) == 2 * count + len(tasks)
    for name in solutions:
        assert all(row.status == "pass" for row in rows[name]), str(board)
    for name in copies:
        assert all(row.status == "fail" and "not done yet" in row.reason for row in rows[name]), str(board)
    graded_tasks = {row.task for name in solutions for row in rows[name]}
    assert graded_tasks == set(every_task)  # every task has a wrong answer, and every wrong answer a task
    for name, results in rows.items():
        if (task := wrong.get(name.rsplit("/", 1)[-1])) is not None:
            failed = {row.task for row in results if row.status != "pass"}
            assert failed == {task}, f"{name}: expected only {task} to fail, got {failed}\n{board}"
    assert sum(name.rsplit("/", 1)[-1] in wrong for name in rows) == len(tasks)
