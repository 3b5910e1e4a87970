"""The pytest plugin that ``labsupport.exercises.grading`` loads into each nbval run it starts.

It logs every cell's result as the cell finishes (so a notebook stopped at its time limit keeps
the results it had), and fails a cell at once when its kernel dies. Loaded as::

    python -m pytest -p labsupport.exercises.grading_plugin --labsupport-grading-log=cells.jsonl --nbval-lax nb.ipynb
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

__all__ = ["ANSI", "KERNEL_DIED", "LOG_OPTION", "pytest_addoption", "pytest_configure"]

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
KERNEL_DIED = "The kernel died"
LOG_OPTION = "--labsupport-grading-log"

def pytest_addoption(parser) -> None:
    """Called by pytest at start-up: the option that names grade()'s per-cell log file."""
    parser.addoption(LOG_OPTION, default=None, help="labsupport.exercises.grading: write each cell's result here")


def pytest_configure(config) -> None:
    """Called by pytest after parsing options: log cell results, notice a dead kernel at once."""
    log = config.getoption(LOG_OPTION)
    if log:
        _notice_kernel_deaths()
        config.pluginmanager.register(_recorder(Path(log)), "labsupport-grading-recorder")


def _recorder(log: Path):
    import pytest

    class Recorder:
        @pytest.hookimpl(wrapper=True)
        def pytest_runtest_makereport(self, item, call):
            report = yield
            if hasattr(item, "cell_num") and (call.when == "call" or report.failed):
                error = next((o for o in item.test_outputs or [] if o.get("output_type") == "error"), {})
                outcome = "skipped" if report.skipped and not hasattr(report, "wasxfail") else \
                    "passed" if call.excinfo is None else "failed"
                record = {"cell": item.cell_num, "when": call.when, "outcome": outcome,
                          "message": str(call.excinfo.value) if call.excinfo else ""}
                record.update({k: ANSI.sub("", error[k]) for k in ("ename", "evalue") if k in error})
                with log.open("a", encoding="utf-8") as out:
                    out.write(json.dumps(record) + "\n")
            return report

    return Recorder()


def _notice_kernel_deaths() -> None:
    """Make nbval fail a cell as soon as its kernel dies, instead of after the cell timeout."""
    from queue import Empty

    from nbval.kernel import RunningKernel

    wait_for_reply = RunningKernel.await_reply

    def await_reply(self, msg_id, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            step = 0.5 if deadline is None else max(0.0, min(0.5, deadline - time.monotonic()))
            try:
                return wait_for_reply(self, msg_id, timeout=step)
            except Empty:
                if not self.is_alive():
                    code = getattr(getattr(self.km.provisioner, "process", None), "returncode", None)
                    self.stop()
                    raise RuntimeError(f"{KERNEL_DIED} (exit code {code})") from None
                if deadline is not None and time.monotonic() >= deadline:
                    raise

    RunningKernel.await_reply = await_reply
