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


# Three exercises, of three kinds (the event loop, TCP, the database): nbval and the JupyterLab test
# already run every solution, and tests/exercises/test_checks.py proves every wrong answer is caught
# with its hint; this test proves the grader end to end, which three notebooks show as well as twelve.
GRADED = ("01-meet-the-event-loop", "05-talk-tcp-with-iostream", "09-store-tasks-in-a-database")


def first_task_of(name: str) -> str:
    """The first task of a solution notebook: its wrong answer is graded as a whole notebook."""
    return next(cell.metadata["labsupport"]["task"] for cell in nbformat.read(SOLUTIONS / f"{name}.ipynb", as_version=4).cells
                if "task" in cell.metadata.get("labsupport", {}))


def test_the_graded_exercises_exist_and_every_task_has_a_wrong_answer():
    assert all((SOLUTIONS / f"{name}.ipynb").exists() and (EXERCISES / f"{name}.ipynb").exists() for name in GRADED)
    tasks = {cell.metadata["labsupport"]["task"] for path in SOLUTIONS.glob("*.ipynb")
             for cell in nbformat.read(path, as_version=4).cells if "task" in cell.metadata.get("labsupport", {})}
    assert tasks == tasks_with_wrong_answers()  # every task has a wrong answer, and every wrong answer a task


@pytest.mark.timeout(600)  # nine notebooks through nbval, two at a time
def test_grading_solutions_stubs_and_wrong_answers(tmp_path):
    tasks = [first_task_of(name) for name in GRADED]
    wrong = {with_wrong_answer(task, tmp_path): task for task in tasks}
    board = grade([*(SOLUTIONS / f"{name}.ipynb" for name in GRADED), *(EXERCISES / f"{name}.ipynb" for name in GRADED),
                   tmp_path], cell_timeout=30, jobs=2)
    rows = board.by_notebook()
    solutions = [name for name in rows if name.startswith("exercises/solutions/")]
    copies = [name for name in rows if name.startswith("exercises/") and name not in solutions]
    assert len(solutions) == len(copies) == len(GRADED) and len(rows) == 2 * len(GRADED) + len(tasks)
    for name in solutions:
        assert rows[name] and all(row.status == "pass" for row in rows[name]), str(board)
    for name in copies:
        assert rows[name] and all(row.status == "fail" and "not done yet" in row.reason for row in rows[name]), str(board)
    for name, results in rows.items():
        if (task := wrong.get(name.rsplit("/", 1)[-1])) is not None:
            failed = {row.task for row in results if row.status != "pass"}
            assert failed == {task}, f"{name}: expected only {task} to fail, got {failed}\n{board}"
    assert sum(name.rsplit("/", 1)[-1] in wrong for name in rows) == len(tasks)
