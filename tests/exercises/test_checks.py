"""Tests for labsupport.check and every lesson's checks, driven by the exercise solutions themselves.

For each task: the solution's answer passes, its stub says "not done yet", and for every requirement
the check lists, the deliberately wrong answer in tests/exercises/wrong_answers/<task>/<requirement>.py
fails with its hint. Answers run the way the notebook runs
them: the notebook's earlier cells first (imports, given code), then the answer cell.
"""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import nbformat
import pytest

import labsupport
from labsupport import CheckFailed
from labsupport.exercises.check import TASKS
from labsupport.exercises import make_learner_copy
from labsupport.exercises.checks.support import async_function

from ..conftest import ROOT, run

WRONG = Path(__file__).parent / "wrong_answers"
SOLUTIONS = ROOT / "exercises" / "solutions"


def _exercises() -> dict[str, tuple[nbformat.NotebookNode, int, tuple[str, ...]]]:
    """task -> (solution notebook, index of its answer cell, names the check is given)."""
    found = {}
    for path in sorted(SOLUTIONS.glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        for index, cell in enumerate(notebook.cells):
            task = cell.metadata.get("labsupport", {}).get("task")
            if task:
                answer = max(i for i in range(index) if "solution" in notebook.cells[i].metadata.get("tags", []))
                names = re.search(r'check\("[^"]+",\s*(\w+(?:,\s*\w+)*)\)', cell.source).group(1)
                found[task] = (notebook, answer, tuple(re.findall(r"\w+", names)))
    return found


EXERCISES = _exercises()


def answers(task: str, source: str | None = None) -> tuple:
    """Run the notebook's code cells up to the task's answer (replaced by ``source``); return what its check is given.

    Usually one answer; a check may also take a class the notebook gave, like lesson 02's ApiError.
    """
    notebook, index, given = EXERCISES[task]
    names: dict = {}
    for number, cell in enumerate(notebook.cells[: index + 1]):
        tags = cell.metadata.get("tags", [])
        if cell.cell_type != "code" or "check" in tags or cell.source.lstrip().startswith("%"):
            continue
        code = source if number == index and source is not None else cell.source
        exec(compile(code, f"<{task} cell {number}>", "exec"), names)
    return tuple(names[name] for name in given)


def answer(task: str, source: str | None = None):
    """The first of :func:`answers`: the learner's answer itself."""
    return answers(task, source)[0]


def test_every_task_has_a_solution_and_lists_its_requirements():
    import labsupport.exercises.checks  # noqa: F401  (registers every task)
    assert set(TASKS) == set(EXERCISES)
    assert [name for name, spec in sorted(TASKS.items()) if not spec.requirements] == []
    assert list(WRONG.glob("*.py")) == [], "a wrong answer belongs to a requirement: wrong_answers/<task>/<key>.py"


# --- one wrong answer per requirement ------------------------------------------------------------
# A task that lists its prompt's requirements (@task(..., requirements={key: ...})) has a folder
# wrong_answers/<task>/ with one <key>.py per requirement: a plausible mistake that breaks that
# requirement and no other, whose "# Expect: ..." line is part of the hint the check must give.

def requirement_answers() -> list[tuple[str, str]]:
    import labsupport.exercises.checks  # noqa: F401  (registers every task)
    return [(name, key) for name, spec in sorted(TASKS.items()) for key in spec.requirements]


@pytest.mark.parametrize("name", sorted(EXERCISES))
def test_every_listed_requirement_has_a_wrong_answer_and_nothing_else_does(name):
    import labsupport.exercises.checks  # noqa: F401
    folder = WRONG / name
    assert {p.stem for p in folder.glob("*.py")} == set(TASKS[name].requirements), (
        f"wrong_answers/{name}/ must hold one <requirement>.py per requirement the check lists")


@pytest.mark.parametrize(("name", "key"), requirement_answers(), ids=lambda value: value)
def test_a_wrong_answer_for_each_requirement_fails_with_its_hint(name, key):
    source = (WRONG / name / f"{key}.py").read_text()
    expect = re.search(r"^# Expect: (.+)$", source, re.M)
    assert source.startswith("# Wrong: ") and expect, f"{name}/{key}.py needs '# Wrong: ...' and '# Expect: ...' lines"
    with pytest.raises(CheckFailed) as failed:
        run(labsupport.check(name, *answers(name, source)))
    message = str(failed.value)
    assert message.startswith(f"✘ {name}: ") and "Traceback" not in message
    assert expect.group(1) in message, message


@pytest.mark.parametrize("task", sorted(EXERCISES))
def test_solution_passes(task, capsys):
    run(labsupport.check(task, *answers(task)))
    assert capsys.readouterr().out.startswith(f"✔ {task} passed: ")


@pytest.mark.parametrize("task", sorted(EXERCISES))
def test_the_learner_stub_says_not_done_yet(task):
    notebook, index, _ = EXERCISES[task]
    stub = make_learner_copy(notebook).cells[index].source
    with pytest.raises(CheckFailed, match=f"✘ {task}: not done yet"):
        run(labsupport.check(task, *answers(task, stub)))


def test_code_that_never_finishes_is_reported_and_the_loop_stays_free():
    async def scenario():
        async def boil_kettle():
            time.sleep(8)  # blocks the checker thread, not this loop
        start = time.perf_counter()
        with pytest.raises(CheckFailed, match="no result within 5 s"):
            await labsupport.check("unblock-the-kettle", boil_kettle)
        return time.perf_counter() - start
    assert run(scenario()) < 6.5


def test_not_a_handler_class_and_unknown_task():
    with pytest.raises(CheckFailed, match="should be a class that subclasses tornado.web.RequestHandler"):
        run(labsupport.check("greet-handler", "GreetHandler"))
    with pytest.raises(CheckFailed, match="There is no task called 'nope'"):
        run(labsupport.check("nope"))


def test_async_function_takes_bound_methods_and_methods_of_a_class():
    class Ledger:
        async def visit(self, page): ...
        def read(self, page): ...

    ledger = Ledger()
    assert async_function(ledger.visit, "visit") == ledger.visit
    assert async_function(Ledger, "SafeLedger", method="visit(self, page)") is Ledger
    with pytest.raises(CheckFailed, match=r"^read should be an `async def` function, not method\. Did you run"):
        async_function(ledger.read, "read")
    with pytest.raises(CheckFailed, match=r"^SafeLedger should be a class with an `async def read\(self, page\)` method\.$"):
        async_function(Ledger, "SafeLedger", method="read(self, page)", ask_if_run=False)


@pytest.fixture
def stubborn_task():
    """A task whose check awaits the answer; the answer ignores cancellation and keeps waiting."""
    from labsupport.exercises.check import requirement, task

    @task("stubborn", budget=0.5, requirements={"waits": "the answer returns within 0.5 s",
                                                "other": "something else"})
    async def stubborn(answer) -> str:
        requirement("waits")
        await answer()
        return "done"

    yield "stubborn"
    TASKS.pop("stubborn")


def test_a_timeout_names_the_requirement_and_leaves_nothing_running(stubborn_task):
    import threading

    stopped = []

    async def ignores_cancellation():
        while True:
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                stopped.append("ignored")  # keeps waiting: the check must stop it all the same

    with pytest.raises(CheckFailed, match="no result within 0.5 s while checking that the answer returns within 0.5 s"):
        run(labsupport.check(stubborn_task, ignores_cancellation))
    deadline = time.monotonic() + 5
    while any(t.name == "labsupport-check" for t in threading.enumerate()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [t.name for t in threading.enumerate() if t.name == "labsupport-check"] == []
    assert stopped, "the check never cancelled the answer"


def test_a_requirement_the_task_does_not_list_is_a_mistake_in_the_check():
    from labsupport.exercises.check import requirement, task

    @task("misnamed", requirements={"a": "A"})
    async def misnamed() -> str:
        requirement("b")
        return "never"

    try:
        with pytest.raises(CheckFailed, match=r"raised ValueError: misnamed lists no requirement 'b'"):
            run(labsupport.check("misnamed"))
    finally:
        TASKS.pop("misnamed")


def test_a_timeout_error_the_answer_raises_is_reported_as_its_own(stubborn_task):
    async def gives_up():
        raise TimeoutError("the upstream did not answer")

    with pytest.raises(CheckFailed, match=r"your code raised TimeoutError: the upstream did not answer"):
        run(labsupport.check(stubborn_task, gives_up))
