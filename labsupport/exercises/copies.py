"""Make the learner's copy of each exercise notebook from its solution, so the two cannot drift.

Example, in a notebook cell run from the repository root::

    from pathlib import Path
    from labsupport.exercises import generate, stale

    stale(Path("exercises/solutions"), Path("exercises"))      # [] when every copy is current
    generate(Path("exercises/solutions"), Path("exercises"))   # rewrites every learner copy

From a terminal: ``python -m labsupport exercises`` (``--check`` only reports stale copies).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from ..errors import SolutionMarkerError

__all__ = ["SolutionMarkerError", "generate", "make_learner_copy", "stale"]

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")


def make_learner_copy(solution_nb: NotebookNode) -> NotebookNode:
    """Return the learner's copy of ``solution_nb``; the argument is left unchanged.

    Every ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` region of a cell tagged ``solution``
    becomes ``# YOUR CODE HERE`` and ``raise NotImplementedError()`` at the marker's
    indentation; all outputs and execution counts are cleared; everything else is kept.
    Example::

        import nbformat
        from labsupport.exercises import make_learner_copy
        nb = nbformat.read("exercises/solutions/02-write-your-first-server.ipynb", as_version=4)
        print(make_learner_copy(nb).cells[4].source)   # the GreetHandler cell, stubbed
    """
    learner = copy.deepcopy(solution_nb)
    for index, cell in enumerate(learner.cells):
        if cell.cell_type != "code":
            continue
        cell.outputs = []
        cell.execution_count = None
        where = f"cell {index} (id {cell.get('id', '?')})"
        tagged = "solution" in cell.get("metadata", {}).get("tags", [])
        has_marker = any(line.strip() in (BEGIN, END) for line in cell.source.splitlines())
        if tagged and not has_marker:
            raise SolutionMarkerError(
                f"{where} is tagged 'solution' but has no {BEGIN!r} ... {END!r} region, so the "
                "learner would see the answer: put the answer between the two marker lines.")
        if has_marker and not tagged:
            raise SolutionMarkerError(
                f"{where} has solution markers but no 'solution' tag, so it would be copied as is: "
                "add the tag 'solution' to the cell.")
        if tagged:
            cell.source = _stub_regions(cell.source, where)
    return learner


def _stub_regions(source: str, where: str) -> str:
    kept: list[str] = []
    begin_line = None
    for number, line in enumerate(source.splitlines(), start=1):
        marker = line.strip()
        if marker == BEGIN:
            if begin_line is not None:
                raise SolutionMarkerError(
                    f"{where}: line {number} opens a second {BEGIN!r} before line {begin_line}'s "
                    f"region was closed: add {END!r} after the answer that starts at line {begin_line}.")
            begin_line = number
            indent = line[: len(line) - len(line.lstrip())]
            kept.extend(indent + stub for stub in _STUB)
        elif marker == END:
            if begin_line is None:
                raise SolutionMarkerError(
                    f"{where}: line {number} has {END!r} without a {BEGIN!r} before it: "
                    f"add {BEGIN!r} above the answer.")
            begin_line = None
        elif begin_line is None:
            kept.append(line)
    if begin_line is not None:
        raise SolutionMarkerError(
            f"{where}: line {begin_line} has {BEGIN!r} without an {END!r} after it: "
            f"add {END!r} after the answer.")
    return "\n".join(kept) + ("\n" if source.endswith("\n") else "")


def generate(solutions_dir: Path | str, out_dir: Path | str) -> list[Path]:
    """Write the learner copy of every ``*.ipynb`` in ``solutions_dir`` to ``out_dir``, same name.

    Returns the paths written. Example::

        from labsupport.exercises import generate
        generate("exercises/solutions", "exercises")   # [PosixPath('exercises/01-...ipynb'), ...]
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for solution in _solutions(solutions_dir):
        target = out_dir / solution.name
        target.write_bytes(_learner_bytes(solution))
        written.append(target)
    return written


def stale(solutions_dir: Path | str, out_dir: Path | str) -> list[str]:
    """Names of the learner copies in ``out_dir`` that are missing or differ from ``generate``'s.

    Example::

        from labsupport.exercises import stale
        stale("exercises/solutions", "exercises")   # ['02-write-your-first-server.ipynb'] after an edit
    """
    out_dir = Path(out_dir)
    names = []
    for solution in _solutions(solutions_dir):
        expected, target = _learner_bytes(solution), out_dir / solution.name
        if not target.is_file() or target.read_bytes() != expected:
            names.append(solution.name)
    return names


def _solutions(solutions_dir: Path | str) -> list[Path]:
    solutions_dir = Path(solutions_dir)
    if not solutions_dir.is_dir():
        raise FileNotFoundError(f"No folder {solutions_dir}: give the folder that holds the "
                                "solution notebooks (exercises/solutions in the course repository).")
    return sorted(solutions_dir.glob("*.ipynb"))


def _learner_bytes(solution: Path) -> bytes:
    """The exact bytes ``generate`` writes for ``solution``: same input, same bytes."""
    text = solution.read_text(encoding="utf-8")
    raw = json.loads(text)
    if (raw.get("nbformat"), raw.get("nbformat_minor", 0)) >= (4, 5):
        # nbformat would invent random ids for these cells, and the copy would change on every run.
        missing = [str(i) for i, cell in enumerate(raw.get("cells", [])) if "id" not in cell]
        if missing:
            raise SolutionMarkerError(
                f"{solution.name}: cells {', '.join(missing)} have no id: open and save the notebook "
                "in JupyterLab (or run nbformat.validator.normalize on it) to give every cell an id.")
    try:
        learner = make_learner_copy(nbformat.reads(text, as_version=4))
    except SolutionMarkerError as error:
        raise SolutionMarkerError(f"{solution.name}: {error}") from None
    out = nbformat.writes(learner)
    return (out if out.endswith("\n") else out + "\n").encode("utf-8")
