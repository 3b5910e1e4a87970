"""Every lesson and exercise as a learner runs it: in a real JupyterLab, in headless Chromium.

nbval runs notebooks without the metadata JupyterLab sends (a ``cellId`` with every execute
request, one request per cell) and compares committed outputs; this module proves what a learner
sees. One ``jupyter lab`` from the project's venv serves a throwaway copy of the course (the
working tree, outputs cleared); one Chromium drives it through JupyterLab's own commands
(``tests/jupyterlab.py``). Per notebook:

- lessons and exercise solutions: open, wait for an idle kernel, Run All (``notebook:run-all-cells``,
  what the Run menu does), save, then read the saved ``.ipynb``: every code cell ran, no error
  output unless the cell is tagged ``raises-exception``; for a lesson, then Run All once more in the
  same kernel (a learner starting the lesson over) and the same checks again;
- learner copies of the exercises: run cell by cell (``notebook:run-cell``), since their check cells
  fail on purpose ("not done yet") and would stop a Run All; every ``check`` cell must say so and no
  other cell may fail;
- lesson 02: the server link in a cell's output, clicked, opens the server's answer in a new tab;
- after each: the kernel shut down with ``notebook:shutdown-kernel`` leaves no process behind.

Timings go to ``test-artifacts/jupyterlab/timings.json`` (and a table on the terminal), one
screenshot per lesson (and per notebook that failed) to ``test-artifacts/jupyterlab/<folder>-<stem>.png``. Without Chromium or
Playwright the JupyterLab tests skip, except in CI (``TORNADO_LAB_CI=1``), where they fail.
Run alone with ``.venv/bin/python -m pytest tests/test_jupyterlab.py``.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from .conftest import ROOT, refused
from .browser import missing_browser, require
from .jupyterlab import (JS_CLOSE_ALL, JUPYTER, Lab, LabServer, chromium, copy_course, course_files,
                         read_problems, saved_problems)

ARTIFACTS = ROOT / "test-artifacts" / "jupyterlab"
LESSONS = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "notebooks").glob("[0-9][0-9]*-*.ipynb"))
SOLUTIONS = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "exercises" / "solutions").glob("[0-9][0-9]*-*.ipynb"))
LEARNER_COPIES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "exercises").glob("[0-9][0-9]*-*.ipynb"))
LESSON_02 = "notebooks/02-write-your-first-server.ipynb"
LESSON_02_ANSWER = "Hello, world"  # what the lesson's HelloHandler writes (and its cell 8 prints)
RUN_ALL_TIMEOUT = 240  # seconds; pytest-timeout gives each test 300
CELL_TIMEOUT = 120
LEFTOVER_GRACE = 10  # seconds the kernel's processes get to end after the kernel shut down


def _id(name: str) -> str:
    return name.removesuffix(".ipynb")


def _artifact(name: str, suffix: str = "") -> Path:
    path = Path(name)
    return ARTIFACTS / f"{path.parent.name}-{path.stem}{suffix}.png"


# --- the verdict, tested on synthetic notebooks (no browser needed) --------------------------------

def _error(ename="ValueError", evalue="boom"):
    return new_output("error", ename=ename, evalue=evalue,
                      traceback=["\x1b[0;31m---------\x1b[0m", f"\x1b[0;31m{ename}\x1b[0m: {evalue}"])


def _notebook(*cells):
    notebook = new_notebook(cells=[new_markdown_cell("# A title"), *cells])
    for count, cell in enumerate(notebook.cells):
        if cell.cell_type == "code" and cell.execution_count is None and not cell.metadata.get("unrun"):
            cell.execution_count = count
        cell.metadata.pop("unrun", None)
    return notebook


def _code(source="x = 1", *, outputs=(), tags=(), unrun=False):
    cell = new_code_cell(source, outputs=list(outputs))
    if tags:
        cell.metadata["tags"] = list(tags)
    if unrun:
        cell.metadata["unrun"] = True
    return cell


def test_a_clean_run_has_no_problems():
    notebook = _notebook(_code(), _code("print(1)", outputs=[new_output("stream", name="stdout", text="1\n")]))
    assert saved_problems(notebook, "lesson.ipynb") == []


def test_an_error_output_is_reported_with_notebook_cell_and_error():
    notebook = _notebook(_code(), _code("int('x')", outputs=[_error("ValueError", "invalid literal for int()")]))
    [problem] = saved_problems(notebook, "notebooks/99-demo.ipynb")
    assert problem == ("notebooks/99-demo.ipynb: cell 2 raised ValueError: invalid literal for int()"
                       "  (cell 2 starts \"int('x')\")")


def test_an_unrun_cell_is_reported():
    notebook = _notebook(_code("boom()", outputs=[_error("NameError", "name 'boom' is not defined")]),
                         _code("after = 1", unrun=True), _code("later = 2", unrun=True))
    problems = saved_problems(notebook, "x.ipynb")
    assert len(problems) == 2
    assert "cell 1" in problems[0] and "NameError: name 'boom' is not defined" in problems[0]
    assert "2 code cell(s) never ran" in problems[1] and "cells 2, 3" in problems[1]
    assert "Run All stops at the first error" in problems[1]
    [alone] = saved_problems(_notebook(_code(), _code(unrun=True)), "x.ipynb")
    assert "cell 2" in alone and "never ran" in alone


def test_a_raises_exception_cell_may_fail_but_must_run():
    failing = _code("1 / 0", outputs=[_error("ZeroDivisionError", "division by zero")], tags=["raises-exception"])
    assert saved_problems(_notebook(failing, _code()), "x.ipynb") == []
    unrun = _code("1 / 0", tags=["raises-exception"], unrun=True)
    assert "never ran" in saved_problems(_notebook(unrun), "x.ipynb")[0]


def test_a_learner_copy_needs_not_done_yet_in_every_check_cell():
    not_done = _error("CheckFailed", "✘ wait: not done yet: replace `raise NotImplementedError()` with your code.")
    stub = _code("class H: ...", tags=["solution"])
    good = _notebook(stub, _code("await check('wait', H)", outputs=[not_done], tags=["check"]))
    assert saved_problems(good, "exercises/01.ipynb", learner=True) == []
    silent = _notebook(stub, _code("await check('wait', H)", tags=["check"]))
    assert "shows no error" in saved_problems(silent, "exercises/01.ipynb", learner=True)[0]
    wrong = _notebook(stub, _code("await check('wait', H)", outputs=[_error("CheckFailed", "✘ wait: got 500")], tags=["check"]))
    assert "raised CheckFailed: ✘ wait: got 500 instead of 'not done yet'" in saved_problems(wrong, "e.ipynb", learner=True)[0]
    other = _notebook(_code("import nothing", outputs=[_error("ModuleNotFoundError", "No module named 'nothing'")]))
    assert "ModuleNotFoundError" in saved_problems(other, "e.ipynb", learner=True)[0]
    # outside a learner copy, a check cell's error is an error like any other
    assert "CheckFailed" in saved_problems(good, "exercises/solutions/01.ipynb")[0]


def test_the_copy_holds_the_working_tree_and_clears_outputs(tmp_path):
    repo, dest = tmp_path / "repo", tmp_path / "copy"
    (repo / "notebooks").mkdir(parents=True)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q", str(repo)], check=True)
    notebook = _notebook(_code("print(1)", outputs=[new_output("stream", name="stdout", text="1\n")]))
    nbformat.write(notebook, repo / "notebooks" / "01-a.ipynb")
    (repo / "tracked.txt").write_text("committed")
    (repo / "deleted.txt").write_text("gone soon")
    (repo / ".gitignore").write_text("ignored.txt\n")
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "x"], cwd=repo, check=True)
    (repo / "tracked.txt").write_text("edited, not committed")
    (repo / "deleted.txt").unlink()
    (repo / "new.txt").write_text("untracked")
    (repo / "ignored.txt").write_text("ignored")
    assert course_files(repo) == [".gitignore", "deleted.txt", "new.txt", "notebooks/01-a.ipynb", "tracked.txt"]
    copy_course(dest, clear=["notebooks/01-a.ipynb"], root=repo)
    assert (dest / "tracked.txt").read_text() == "edited, not committed"
    assert (dest / "new.txt").exists() and not (dest / "ignored.txt").exists() and not (dest / "deleted.txt").exists()
    [cell] = [c for c in nbformat.read(dest / "notebooks" / "01-a.ipynb", 4).cells if c.cell_type == "code"]
    assert cell.outputs == [] and cell.execution_count is None
    assert "never ran" in read_problems(dest / "notebooks" / "01-a.ipynb", "01-a")[0]


# --- JupyterLab ---------------------------------------------------------------------------------

def _missing() -> str | None:
    if not JUPYTER.is_file():
        return f"no {JUPYTER} (run: python3 course.py setup)"
    return missing_browser()


@pytest.fixture(scope="module")
def _browser_available():
    require(_missing())


@pytest.fixture(scope="module")
def course(tmp_path_factory, _browser_available) -> Path:
    return copy_course(tmp_path_factory.mktemp("course"), clear=LESSONS + SOLUTIONS + LEARNER_COPIES)


@pytest.fixture(scope="module")
def server(course, tmp_path_factory):
    started = time.monotonic()
    lab_server = LabServer(course, tmp_path_factory.mktemp("jupyter-home"))
    lab_server.startup_seconds = time.monotonic() - started
    try:
        yield lab_server
    finally:
        lab_server.stop()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(lab_server.log_path, ARTIFACTS / "jupyter-lab.log")  # for a failing CI run


@pytest.fixture(scope="module")
def browser(_browser_available):
    with chromium() as running:
        yield running


@pytest.fixture(scope="module")
def lab(browser, server):
    started = time.monotonic()
    page = Lab(browser, server)
    server.page_load_seconds = time.monotonic() - started
    try:
        yield page
    finally:
        page.close()


@pytest.fixture(scope="module")
def timings(request, lab, server):
    """Collects each notebook's time; at the end of the module, a table and timings.json."""
    results: dict[str, dict] = {}
    started = time.monotonic()
    yield results
    if not results:
        return
    summary = {"notebooks_seconds": round(time.monotonic() - started, 1), "cpus": os.cpu_count(),
               "python": platform.python_version(),
               "jupyter_server_start_seconds": round(server.startup_seconds, 1),
               "jupyterlab_page_load_seconds": round(server.page_load_seconds, 1),
               "run_seconds_total": round(sum(row["seconds"] or 0 for row in results.values()), 1),
               "notebooks": results}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "timings.json").write_text(json.dumps(summary, indent=2) + "\n")
    lines = [f"\nJupyterLab: run time per notebook ({os.cpu_count()} CPUs; Run All unless marked cell by cell; "
             "again: the second Run All in the same kernel)",
             f"{'notebook':<72} {'mode':<12} {'seconds':>7} {'again':>6}  result"]
    for name, row in results.items():
        seconds = "-" if row["seconds"] is None else f"{row['seconds']:.1f}"
        again = f"{row['again_seconds']:.1f}" if row.get("again_seconds") is not None else "-"
        lines.append(f"{name:<72} {row['mode']:<12} {seconds:>7} {again:>6}  {row['result']}")
    lines.append(f"{'total run time':<72} {'':<12} {summary['run_seconds_total']:>7.1f}")
    lines.append(f"{'jupyter lab start-up, then the JupyterLab page loading':<72} {'':<12} "
                 f"{server.startup_seconds + server.page_load_seconds:>7.1f}")
    lines.append(f"{'all notebooks, with opening, saving, screenshots, shutting down':<72} {'':<12} "
                 f"{summary['notebooks_seconds']:>7.1f}")
    lines.append(f"written to {(ARTIFACTS / 'timings.json').relative_to(ROOT)}")
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print("\n".join(lines))


def _finish(lab: Lab, name: str, problems: list[str]) -> None:
    """Screenshot (of lessons, and of anything that failed), shut the kernel down, check for leftovers,
    close the tab; always, even after a failure."""
    try:
        if name in LESSONS or problems:  # a tall screenshot takes seconds: CI's time goes to the lessons
            lab.screenshot(_artifact(name))
    except Exception as exc:  # a missing picture must not hide the real verdict
        problems.append(f"{name}: no screenshot ({exc})")
    try:
        problems.extend(f"{name}: {left}" for left in lab.shutdown_kernel(grace=LEFTOVER_GRACE))
    finally:
        lab.close_notebook()


def _verdict(timings: dict, name: str, problems: list[str], lab: Lab) -> None:
    if name in timings:
        timings[name]["processes_seen"] = len(lab.watch.seen)  # the kernel and what it started
        first = problems[0].split(": ", 1)[-1].split("  (cell ", 1)[0] if problems else ""
        timings[name]["result"] = "FAILED " + first[:100] if problems else "passed"


def _saved(lab: Lab, course: Path, name: str, problems: list[str], *, learner: bool = False) -> None:
    lab.save()
    problems.extend(read_problems(course / name, name, learner=learner))


@pytest.mark.parametrize("name", LESSONS + SOLUTIONS, ids=[_id(n) for n in LESSONS + SOLUTIONS])
def test_run_all_in_jupyterlab(name, lab, course, timings):
    """Run All, check what was saved; for a lesson, Run All again in the same kernel, as a learner who
    starts the lesson over does, and check again. (A solution runs once: its servers and checks are the
    lessons' own, which the second run already covers, and CI's 30 minutes go to the lessons.)"""
    lab.open(name)
    problems: list[str] = []
    try:
        run = lab.run_all(timeout=RUN_ALL_TIMEOUT)
        timings[name] = {"mode": "run all", "seconds": round(run.seconds, 1), "result": "?"}
        _saved(lab, course, name, problems)
        if not problems and name in LESSONS:
            again = lab.run_all(timeout=RUN_ALL_TIMEOUT)
            timings[name]["again_seconds"] = round(again.seconds, 1)
            before = len(problems)
            _saved(lab, course, name, problems)
            problems[before:] = [f"the second Run All in one kernel: {problem}" for problem in problems[before:]]
    except Exception as exc:  # a hang or a dead kernel: still a row in the table
        timings.setdefault(name, {"mode": "run all", "seconds": None})
        problems.append(f"{name}: {type(exc).__name__}: {str(exc).removeprefix(name + ': ')}")
        raise
    finally:
        _finish(lab, name, problems)
        _verdict(timings, name, problems, lab)
    assert not problems, "Run All in JupyterLab:\n" + "\n".join(problems)


@pytest.mark.parametrize("name", LEARNER_COPIES, ids=[_id(n) for n in LEARNER_COPIES])
def test_learner_copy_cell_by_cell_in_jupyterlab(name, lab, course, timings):
    lab.open(name)
    notebook = nbformat.read(course / name, as_version=4)
    problems: list[str] = []
    try:
        seconds = sum(lab.run_cell(index, timeout=CELL_TIMEOUT).seconds
                      for index, cell in enumerate(notebook.cells) if cell.cell_type == "code")
        timings[name] = {"mode": "cell by cell", "seconds": round(seconds, 1), "result": "?"}
        _saved(lab, course, name, problems, learner=True)
    except Exception as exc:
        timings.setdefault(name, {"mode": "cell by cell", "seconds": None})
        problems.append(f"{name}: {type(exc).__name__}: {str(exc).removeprefix(name + ': ')}")
        raise
    finally:
        _finish(lab, name, problems)
        _verdict(timings, name, problems, lab)
    assert not problems, "cell by cell in JupyterLab:\n" + "\n".join(problems)


def _server_cell(notebook) -> int:
    """The first code cell that starts a server with labsupport.serve(...)."""
    return next(i for i, c in enumerate(notebook.cells) if c.cell_type == "code" and "labsupport.serve(" in c.source)


def _click_server_link(lab: Lab, index: int, name: str, suffix: str) -> str:
    """Click the server link in cell ``index``'s output; return the URL and check the new tab shows the answer."""
    link = lab.cell(index).locator(".jp-OutputArea-output a[target='_blank'][href^='http://127.0.0.1:']")
    assert link.count() == 1, f"{name}: cell {index} shows {link.count()} server links, expected 1"
    url = link.get_attribute("href")
    with lab.context.expect_page(timeout=15_000) as opened:
        link.click()
    popup = opened.value
    try:
        popup.wait_for_load_state("load", timeout=15_000)
        body = popup.locator("body").inner_text(timeout=15_000).strip()
        popup.screenshot(path=str(_artifact(name, suffix)))
        assert popup.url == url, f"{name}: the link {url} opened {popup.url}"
        assert body == LESSON_02_ANSWER, f"{name}: the link {url} in cell {index} opened a page saying {body!r}"
    finally:
        popup.close()
    return url


def test_lesson_02_server_link_opens_the_answer(lab, course, timings):
    """As a learner: run lesson 02 cell by cell to its first server, click the link, re-run, click, run the rest.

    The lesson stops its servers at the end, so a Run All would leave a dead link: the link is
    clicked right after its cell ran, then the rest of the lesson runs (``notebook:run-all-below``).
    """
    name = LESSON_02
    notebook = nbformat.read(course / name, as_version=4)
    index = _server_cell(notebook)
    lab.open(name)
    problems: list[str] = []
    try:
        for i, cell in enumerate(notebook.cells[: index + 1]):
            if cell.cell_type == "code":
                lab.run_cell(i, timeout=CELL_TIMEOUT)
        first = _click_server_link(lab, index, name, "-link")
        lab.run_cell(index, timeout=CELL_TIMEOUT)  # re-running the cell replaces its server
        second = _click_server_link(lab, index, name, "-link-rerun")
        if second != first:
            port = int(first.rstrip("/").rsplit(":", 1)[1])
            assert refused(port), f"{name}: re-running cell {index} left its old server {first} answering"
        lab.page.evaluate("(i) => { window.__tl.widget.content.activeCellIndex = i; }", index + 1)
        lab.command("notebook:run-all-below", timeout=RUN_ALL_TIMEOUT, what="the rest of lesson 02")
        _saved(lab, course, name, problems)
    finally:
        lab.screenshot(_artifact(name, "-cell-by-cell"))
        problems.extend(f"{name}: {left}" for left in lab.shutdown_kernel(grace=LEFTOVER_GRACE))
        lab.close_notebook()
    assert not problems, "lesson 02, link clicked, then the rest:\n" + "\n".join(problems)


def test_a_lessons_exercises_link_opens_its_exercise(lab, course):
    """As a learner: click the link at the end of lesson 01; JupyterLab opens the exercise beside it.

    This needs what ``python3 course.py lab`` gives JupyterLab: the course folder as its root.
    """
    lab.open("notebooks/01-meet-the-event-loop.ipynb")
    try:
        link = lab.page.get_by_role("link", name="exercises/01-meet-the-event-loop.ipynb")
        link.scroll_into_view_if_needed()
        link.click()
        lab.page.wait_for_function("() => window.jupyterapp.shell.currentWidget?.context?.path"
                                   " === 'exercises/01-meet-the-event-loop.ipynb'", timeout=30_000)
        lab.screenshot(_artifact("notebooks/01-meet-the-event-loop.ipynb", "-exercises-link"))
    finally:
        lab.page.evaluate(JS_CLOSE_ALL)
        for kernel in lab.server.kernels():
            lab.server.api("DELETE", f"api/kernels/{kernel['id']}")


def test_jupyterlab_sent_nothing_off_the_machine(lab):
    """No news feed, no update check, no CDN: every request the page made stayed on loopback."""
    assert lab.outside == []


def _cell_index(notebook, cell_id: str) -> int:
    return next(i for i, c in enumerate(notebook.cells) if c.get("id") == cell_id)


def _wait_for_text(lab: Lab, index: int, wanted: list[str], timeout: float = 15) -> str:
    deadline, text = time.monotonic() + timeout, ""
    while time.monotonic() < deadline:
        cell = lab.cell(index)
        cell.scroll_into_view_if_needed(timeout=5_000)  # JupyterLab renders only the cells in view
        text = cell.inner_text(timeout=5_000)
        if all(part in text for part in wanted):
            return text
        time.sleep(0.25)
    raise AssertionError(f"cell {index} never showed {wanted}; it shows:\n{text}")


def test_the_request_view_redraws_in_jupyterlab_while_the_kernel_is_idle(lab, course):
    """Lesson 02 to its request view; requests from this test process while the kernel is idle appear in it,
    and so does the watchdog's report of the lesson's blocking handler; then the rest of the lesson runs."""
    import urllib.request

    name = LESSON_02
    notebook = nbformat.read(course / name, as_version=4)
    server_cell, view_cell, nap_cell = (_server_cell(notebook), _cell_index(notebook, "w02-view"),
                                        _cell_index(notebook, "w02-nap-call"))
    lab.open(name)
    problems: list[str] = []
    try:
        for i, cell in enumerate(notebook.cells[: view_cell + 1]):
            if cell.cell_type == "code":
                lab.run_cell(i, timeout=CELL_TIMEOUT)
        url = lab.cell(server_cell).locator(".jp-OutputArea-output a[href^='http://127.0.0.1:']").get_attribute("href")
        for path in ("", "", "", "from-the-test"):
            try:
                urllib.request.urlopen(url + path, timeout=10).read()
            except urllib.error.HTTPError as error:
                assert error.code == 404
        text = _wait_for_text(lab, view_cell, ["HelloHandler", "4 requests", "404", "/from-the-test"])
        assert "GET" in text
        for i in range(view_cell + 1, nap_cell + 1):
            if notebook.cells[i].cell_type == "code":
                lab.run_cell(i, timeout=CELL_TIMEOUT)
        _wait_for_text(lab, view_cell, ["blocked for", "time.sleep in NapHandler.get"])
        lab.cell(view_cell).screenshot(path=str(_artifact(name, "-request-view")))
        lab.page.evaluate("(i) => { window.__tl.widget.content.activeCellIndex = i; }", nap_cell + 1)
        lab.command("notebook:run-all-below", timeout=RUN_ALL_TIMEOUT, what="the rest of lesson 02")
        _wait_for_text(lab, view_cell, ["stopped"])
        _saved(lab, course, name, problems)
    finally:
        problems.extend(f"{name}: {left}" for left in lab.shutdown_kernel(grace=LEFTOVER_GRACE))
        lab.close_notebook()
    assert not problems, "lesson 02 with its request view:\n" + "\n".join(problems)
