"""The result of grading: one row per task of each notebook, as text, HTML, JUnit XML or CSV.

Example::

    from labsupport.exercises.scoreboard import Scoreboard, TaskResult
    board = Scoreboard([TaskResult("ada.ipynb", "greet-handler", "pass")])
    print(board)              # ada.ipynb: 1/1 passed / ✔ greet-handler
    board.write_csv("grades.csv")
"""

from __future__ import annotations

import csv
import html
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Literal
from pathlib import Path

__all__ = ["Scoreboard", "TaskResult", "TaskStatus"]

_MARK = {"pass": "✔", "fail": "✘", "timeout": "⏱", "missing": "✘", "error": "✘"}
_COLOUR = {"pass": "#1a7f37", "timeout": "#9a6700"}
_XML_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


TaskStatus = Literal["pass", "fail", "timeout", "missing", "error"]


@dataclass(frozen=True)
class TaskResult:
    """One row of a :class:`Scoreboard`: how one task of one notebook went, and why."""

    notebook: str
    task: str
    status: TaskStatus
    reason: str = ""

    def __str__(self) -> str:
        return f"{_MARK[self.status]} {self.task}" + (f": {self.reason}" if self.reason else "")


class Scoreboard(list):
    """The :class:`TaskResult` rows of a grading run, notebook by notebook, in task order."""

    @property
    def ok(self) -> bool:
        """True when every task of every notebook passed."""
        return all(row.status == "pass" for row in self)

    def by_notebook(self) -> dict[str, list[TaskResult]]:
        """The rows grouped by notebook, in grading order."""
        groups: dict[str, list[TaskResult]] = {}
        for row in self:
            groups.setdefault(row.notebook, []).append(row)
        return groups

    def __str__(self) -> str:
        lines = []
        for notebook, rows in self.by_notebook().items():
            lines.append(f"{notebook}: {_counts(rows)}")
            lines += [f"  {row}" for row in rows]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        parts = []
        for notebook, rows in self.by_notebook().items():
            parts.append(f"<tr><th colspan='3' style='text-align:left'>{html.escape(notebook)}: "
                         f"{html.escape(_counts(rows))}</th></tr>")
            parts += [f"<tr><td style='color:{_COLOUR.get(r.status, '#cf222e')}'>{_MARK[r.status]}</td>"
                      f"<td style='text-align:left'>{html.escape(r.task)}</td>"
                      f"<td style='text-align:left'>{html.escape(r.reason)}</td></tr>" for r in rows]
        return f"<table>{''.join(parts)}</table>"

    def write_junit(self, path: Path | str) -> Path:
        """Write JUnit XML: a testsuite per notebook, a testcase per task, a failure per miss."""
        suites = ET.Element("testsuites", name="labsupport grade")
        for notebook, rows in self.by_notebook().items():
            misses = sum(row.status != "pass" for row in rows)
            suite = ET.SubElement(suites, "testsuite", name=notebook, tests=str(len(rows)),
                                  failures=str(misses), errors="0", skipped="0")
            for row in rows:
                case = ET.SubElement(suite, "testcase", classname=notebook, name=row.task)
                if row.status != "pass":
                    reason = _XML_UNSAFE.sub("", row.reason) or row.status
                    ET.SubElement(case, "failure", type=row.status, message=reason).text = reason
        ET.indent(suites)
        path = Path(path)
        ET.ElementTree(suites).write(path, encoding="utf-8", xml_declaration=True)
        return path

    def write_csv(self, path: Path | str) -> Path:
        """Write a CSV file with the columns notebook, task, status, reason."""
        path = Path(path)
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(["notebook", "task", "status", "reason"])
            writer.writerows([row.notebook, row.task, row.status, row.reason] for row in self)
        return path


def _counts(rows: list[TaskResult]) -> str:
    passed = sum(row.status == "pass" for row in rows)
    others = {status: sum(row.status == status for row in rows)
              for status in ("fail", "timeout", "missing", "error")}
    extra = ", ".join(f"{n} {status}" for status, n in others.items() if n)
    return f"{passed}/{len(rows)} passed" + (f" ({extra})" if extra else "")
