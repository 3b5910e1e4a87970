"""Grade submitted exercise notebooks: run each one with nbval, with its checks restored, task by task.

Example, in a notebook cell run from the repository root::

    from labsupport.exercises.grading import grade
    board = grade(["submissions/"], cell_timeout=30)   # notebooks or folders of them
    board                                              # a table: ✔ / ✘ / ⏱ per task
    board.write_csv("grades.csv")

From a terminal: ``python -m labsupport grade submissions/ --csv grades.csv`` (exit status 1
unless every task passed). ``grade`` loads ``labsupport.exercises.grading_plugin`` into each nbval run to
log every cell's result as it finishes.
"""

from __future__ import annotations

import concurrent.futures
import copy
import json
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

import nbformat

from ..errors import GradingError
from .grading_plugin import ANSI as _ANSI
from ..paths import course_path
from .grading_plugin import KERNEL_DIED as _KERNEL_DIED
from .grading_plugin import LOG_OPTION as _LOG_OPTION
from .scoreboard import Scoreboard, TaskResult

__all__ = ["GradingError", "Scoreboard", "TaskResult", "grade"]

_SOLUTIONS = course_path("exercises", "solutions")


def grade(paths: Iterable[Path | str] | Path | str, *, solutions_dir: Path | str | None = None,
          cell_timeout: float = 30.0, notebook_timeout: float | None = None,
          jobs: int = 1) -> Scoreboard:
    """Run every submitted notebook in ``paths`` (files or folders) and score its tasks.

    The tasks are the check cells of the matching solution in ``solutions_dir`` (found by the
    notebook's ``labsupport.exercise`` metadata, else by file name); each check cell is restored
    from the solution before the run, in a fresh temporary folder. A notebook runs at most
    ``notebook_timeout`` seconds (default: ``cell_timeout`` times its code cells plus two);
    ``jobs`` notebooks run at once. Example::

        from labsupport.exercises.grading import grade
        print(grade(["exercises/solutions/"]))   # the solutions themselves: all ✔
    """
    notebooks = _find_notebooks([paths] if isinstance(paths, (str, Path)) else paths)
    solutions = _index_solutions(Path(solutions_dir) if solutions_dir else _SOLUTIONS)
    options = dict(cell_timeout=cell_timeout, notebook_timeout=notebook_timeout)
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        graded = pool.map(lambda nb: _grade_one(nb, solutions, **options), notebooks)
        return Scoreboard(row for rows in graded for row in rows)


def _find_notebooks(paths: Iterable[Path | str]) -> list[Path]:
    found: dict[Path, Path] = {}
    for path in map(Path, paths):
        if path.is_dir():
            candidates = sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        elif path.suffix == ".ipynb" and path.is_file():
            candidates = [path]
        else:
            raise GradingError(f"{path} is neither a notebook nor a folder: give .ipynb files or "
                               "folders that contain them.")
        for candidate in candidates:
            found.setdefault(candidate.resolve(), candidate)
    if not found:
        raise GradingError("No notebooks found to grade: give .ipynb files or folders that contain them.")
    return list(found.values())


def _index_solutions(solutions_dir: Path) -> dict[str, Path]:
    if not solutions_dir.is_dir():
        raise GradingError(f"No solutions folder {solutions_dir}: pass solutions_dir= (--solutions) "
                           "with the folder of solution notebooks.")
    index = {}
    for path in sorted(solutions_dir.glob("*.ipynb")):
        index[path.stem] = path
        try:
            exercise = _labsupport(nbformat.read(path, as_version=4), "exercise")
        except Exception:  # an unreadable solution fails the notebooks that need it, not the index
            exercise = None
        if exercise:
            index.setdefault(exercise, path)
    return index


def _labsupport(node, key: str) -> str | None:
    """``node.metadata.labsupport[key]`` when it is a string (learners can edit metadata too)."""
    try:
        value = node["metadata"]["labsupport"][key]
    except (KeyError, TypeError):
        return None
    return value if isinstance(value, str) else None


def _task_of(cell) -> str | None:
    return _labsupport(cell, "task") if cell.get("cell_type") == "code" else None


def _display_name(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _grade_one(path: Path, solutions: dict[str, Path], *, cell_timeout: float,
               notebook_timeout: float | None) -> list[TaskResult]:
    name = _display_name(path)
    try:
        submission, problem = nbformat.read(path, as_version=4), ""
    except Exception as error:  # the notebook cannot be parsed: report it, grade the others
        submission, problem = None, f"cannot read the notebook ({_first_line(str(error)) or type(error).__name__})"
    exercise = _labsupport(submission, "exercise")
    solution_path = solutions.get(exercise or "") or solutions.get(path.stem)
    if solution_path is None:
        return [TaskResult(name, "-", "error", f"no solution for exercise {exercise or path.stem!r}: "
                           "keep the file name or metadata of the exercise notebook")]
    try:
        solution = nbformat.read(solution_path, as_version=4)
        tasks = list(dict.fromkeys(t for t in map(_task_of, solution.cells) if t is not None))
    except Exception as error:
        return [TaskResult(name, "-", "error", f"cannot read the solution {solution_path.name}: {error}")]
    if not tasks:
        return [TaskResult(name, "-", "error", f"the solution {solution_path.name} has no check cells")]
    if submission is None:
        return [TaskResult(name, task, "error", problem) for task in tasks]
    try:
        return _run_and_score(name, submission, solution, tasks,
                              cell_timeout=cell_timeout, notebook_timeout=notebook_timeout)
    except Exception as error:  # never let one notebook stop the others
        return [TaskResult(name, task, "error", f"could not run: {type(error).__name__}: {error}")
                for task in tasks]


def _prepare(submission, solution, tasks: list[str]) -> tuple[nbformat.NotebookNode, dict[str, list[int]]]:
    """A copy of ``submission`` with canonical check cells, and each task's code-cell numbers."""
    canonical = {_task_of(cell): cell for cell in reversed(solution.cells) if _task_of(cell)}
    prepared = copy.deepcopy(submission)
    where: dict[str, list[int]] = {task: [] for task in tasks}
    code_cells = [cell for cell in prepared.cells if cell.cell_type == "code"]
    for number, cell in enumerate(code_cells):  # nbval's "Cell N" counts code cells only, from 0
        cell.outputs, cell.execution_count = [], None
        task = _task_of(cell)
        if task in where:
            cell.source = canonical[task].source
            cell.metadata = copy.deepcopy(canonical[task].metadata)
            where[task].append(number)
    return prepared, where


def _run_and_score(name, submission, solution, tasks, *, cell_timeout,
                   notebook_timeout) -> list[TaskResult]:
    prepared, where = _prepare(submission, solution, tasks)
    sources = [cell.source for cell in prepared.cells if cell.cell_type == "code"]
    limit = notebook_timeout if notebook_timeout is not None else cell_timeout * (len(sources) + 2)
    records: dict[int, dict] = {}
    killed, output = False, ""
    if any(where.values()):
        with tempfile.TemporaryDirectory(prefix="labsupport-grade-", ignore_cleanup_errors=True) as work, \
                tempfile.TemporaryDirectory(prefix="labsupport-log-", ignore_cleanup_errors=True) as logs:
            notebook, log = Path(work) / "submission.ipynb", Path(logs) / "cells.jsonl"
            nbformat.write(prepared, notebook)
            killed, output = _run_nbval(notebook, log, cell_timeout=cell_timeout, timeout=limit)
            if log.exists():
                for line in log.read_text(encoding="utf-8").splitlines():
                    record = json.loads(line)
                    records.setdefault(record["cell"], record)
    judge = _Judge(records, sources, killed=killed, limit=limit, cell_timeout=cell_timeout, output=output)
    rows = []
    for task in tasks:
        if not where[task]:
            rows.append(TaskResult(name, task, "missing", "check cell missing"))
            continue
        verdicts = [judge.verdict(task, cell) for cell in where[task]]
        status, reason = next((v for v in verdicts if v[0] != "pass"), verdicts[0])
        rows.append(TaskResult(name, task, status, reason))
    return rows


def _run_nbval(notebook: Path, log: Path, *, cell_timeout: float, timeout: float) -> tuple[bool, str]:
    """Run nbval on ``notebook`` in a subprocess; True when it had to be killed, and its output."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=",
               "-c", os.devnull, "--rootdir", str(notebook.parent),  # no config file of anyone's
               "-p", "labsupport.exercises.grading_plugin", f"{_LOG_OPTION}={log}",
               "--nbval-lax", "--nbval-current-env", f"--nbval-cell-timeout={cell_timeout:g}", notebook.name]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS")}
    transcript = log.with_name("pytest-output.txt")
    with transcript.open("wb") as sink:
        popen = subprocess.Popen(command, cwd=notebook.parent, env=env, stdin=subprocess.DEVNULL,
                                 stdout=sink, stderr=subprocess.STDOUT, start_new_session=hasattr(os, "killpg"))
        killed = True
        try:
            popen.wait(timeout)
            killed = False
        except subprocess.TimeoutExpired:
            pass
        finally:
            _stop(popen)
    return killed, _ANSI.sub("", transcript.read_text(encoding="utf-8", errors="replace"))


def _stop(popen: subprocess.Popen) -> None:
    """Kill ``popen``, its process group and every descendant (the kernel has its own group)."""
    if popen.poll() is not None:
        return
    try:
        import psutil
        family = psutil.Process(popen.pid).children(recursive=True)
    except Exception:  # psutil missing, or the process just ended
        psutil, family = None, []
    try:
        if hasattr(os, "killpg"):
            os.killpg(popen.pid, signal.SIGKILL)
        else:
            popen.kill()
    except (ProcessLookupError, PermissionError):
        pass
    for process in family:
        try:
            process.kill()
        except psutil.Error:
            pass
    popen.wait()
    if psutil is not None:
        psutil.wait_procs(family, timeout=5)


class _Judge:
    """Turns nbval's per-cell records into one (status, reason) per check cell."""

    def __init__(self, records, sources, *, killed, limit, cell_timeout, output) -> None:
        self.records, self.sources, self.killed = records, sources, killed
        self.limit, self.cell_timeout, self.output = limit, cell_timeout, output
        self.timeouts = sorted(c for c, r in records.items() if r["message"].startswith("Timeout of"))
        self.died = min((c for c, r in records.items() if _KERNEL_DIED in r["message"]), default=None)

    def _snippet(self, cell: int) -> str:
        line = next((s.strip() for s in self.sources[cell].splitlines() if s.strip()), "")
        return f"`{line[:47]}...`" if len(line) > 50 else f"`{line}`"

    def verdict(self, task: str, cell: int) -> tuple[str, str]:
        record = self.records.get(cell)
        if record is None:
            if self.killed:
                return "timeout", f"stopped: the notebook ran longer than {self.limit:g} s in total"
            lines = [line.strip() for line in self.output.splitlines() if line.strip()]
            detail = next((line[1:].strip() for line in lines if line.startswith("E ")), lines[-1] if lines else "")
            return "error", f"not run ({detail or 'nbval reported nothing'})"
        if record["outcome"] == "passed":
            return "pass", ""
        message = record["message"]
        if self.died is not None and cell >= self.died:
            where = "this check" if cell == self.died else f"an earlier cell {self._snippet(self.died)}"
            return "error", f"{_first_line(self.records[self.died]['message'])} while running {where}"
        if message.startswith("Timeout of"):
            return "timeout", f"took longer than {self.cell_timeout:g} s"
        earlier = [c for c in self.timeouts if c < cell]
        if earlier:
            return "timeout", f"an earlier cell timed out: {self._snippet(earlier[-1])}"
        if "Kernel dead" in message or record["when"] == "setup":
            return "error", _first_line(message)
        if record["outcome"] == "skipped":
            return "fail", "the check cell was skipped"
        return "fail", _failure_reason(task, record)


def _failure_reason(task: str, record: dict) -> str:
    ename = record.get("ename")
    if ename is None:  # no exception in the cell: e.g. "Cell outputs differ"
        return _first_line(record["message"])
    first = _first_line(record.get("evalue", ""))
    if ename == "CheckFailed":  # "✘ task: what happened" -> "what happened"
        first = first.removeprefix("✘").strip()
        return first.removeprefix(f"{task}:").strip() or ename
    if ename == "NotImplementedError" and not first:
        return "NotImplementedError: not done yet: replace `raise NotImplementedError()` with your code"
    return f"{ename}: {first}" if first else ename


def _first_line(text: str) -> str:
    return next((line.strip() for line in _ANSI.sub("", text).splitlines() if line.strip()), "")


