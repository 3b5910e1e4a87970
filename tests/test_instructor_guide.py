"""docs/instructor.md stays true: its lesson table and its troubleshooting card.

The card quotes the messages learners see. Most of them are produced here for real (a port in use,
a loop already running, a check not done yet, the to-do app without its database...), and each
quoted message must match one of them, with "…" standing for what varies. The rest (a page of
jupyter_server, a message that takes a long time to provoke) must still be in the file the card
names. A test fails when a message in the card no longer exists in the code.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import re
import socket
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import tornado.web

import labsupport
from labsupport.errors import LabError

from .conftest import ROOT, run

GUIDE = ROOT / "docs" / "instructor.md"
TEXT = GUIDE.read_text()
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]*-*.ipynb"))


def section(title: str) -> str:
    start = TEXT.index(f"## {title}")
    end = TEXT.find("\n## ", start + 3)
    return TEXT[start:end if end != -1 else None]


def card() -> list[tuple[str, str]]:
    """``(message, made by)`` for each row of the troubleshooting card; the message without its backticks."""
    rows = []
    for line in section("During class").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        if len(cells) == 3 and "`" in cells[0] and cells[0] != "What the learner sees":
            quoted = [double or single for double, single in re.findall(r"`` (.+?) ``|`([^`]+)`", cells[0])]
            source = re.search(r"`([^`]+)`", cells[1])
            rows.append((max(quoted, key=len), source.group(1) if source else cells[1]))
    return rows


def pattern(message: str) -> re.Pattern:
    return re.compile(".*?".join(re.escape(part) for part in message.split("…")), re.S)


# --- the messages, produced for real -------------------------------------------------------------

class HelloHandler(tornado.web.RequestHandler):
    def get(self):
        self.write("hi")


def _error(call) -> str:
    try:
        call()
    except BaseException as exc:  # noqa: BLE001 - we want its message, whatever it is
        return f"{type(exc).__name__}: {exc}"
    raise AssertionError(f"{call} raised nothing")


async def _loop_messages() -> list[str]:
    async def main():
        return 1

    loop = asyncio.get_running_loop()
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        port = taken.getsockname()[1]
        coroutines = [main(), main()]
        found = [_error(lambda: loop.run_until_complete(coroutines[0])),
                 _error(lambda: asyncio.run(coroutines[1])),
                 _error(lambda: labsupport.serve(tornado.web.Application([(r"/", HelloHandler)]), port=port)),
                 _error(lambda: labsupport.serve(HelloHandler))]
        for coroutine in coroutines:
            coroutine.close()
        return found
    finally:
        taken.close()


def _check_messages() -> list[str]:
    async def stub(*args, **kwargs):  # the learner copy's cell before it is answered
        raise NotImplementedError()

    async def checked():
        try:
            await labsupport.check("deadline", stub)
        except LabError as exc:
            return str(exc)
        raise AssertionError("the check passed a stub")
    return [run(checked())]


def _doctor_message(monkeypatch) -> str:
    doctor = importlib.import_module("labsupport.doctor")  # the module; labsupport.doctor is also a function
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/NAME/")
    monkeypatch.setattr(doctor, "proxy_available", lambda: False)
    return str(doctor._check_proxy()).splitlines()[0]


def _needs_message(monkeypatch) -> str:
    from labsupport.kernel import needs

    monkeypatch.setattr(needs, "missing", lambda program: True)
    [line] = needs.skip_if_missing(["# needs: nginx\n", "labsupport.serve_nginx()\n"])
    return eval(line.removeprefix("print(").rstrip().removesuffix(")"))  # the printed literal


def _todo_message() -> str:
    done = subprocess.run([sys.executable, "-m", "todo", "--port=0",
                           "--database_url=postgresql+asyncpg://ada:secret@127.0.0.1:1/todo"],
                          cwd=ROOT / "notebooks", capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    return done.stderr.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def produced() -> list[str]:
    monkeypatch = pytest.MonkeyPatch()
    try:
        return [*run(_loop_messages()), *_check_messages(), _doctor_message(monkeypatch), _needs_message(monkeypatch),
                _todo_message(), _error(lambda: exec("client", {}))]
    finally:
        monkeypatch.undo()


def _source(made_by: str) -> Path | None:
    """The file a card row names: in the course, or in an installed package (``asyncio/runners.py``)."""
    if (ROOT / made_by).is_file():
        return ROOT / made_by
    package, _, rest = made_by.partition("/")
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / rest
    return path if path.is_file() else None


def test_the_card_has_the_messages_the_issue_asks_for():
    made_by = {source for _, source in card()}
    assert len(card()) >= 10
    assert {"labsupport/servers/serving.py", "asyncio/base_events.py", "Python", "labsupport/doctor.py",
            "notebooks/todo/__main__.py", "labsupport/kernel/needs.py", "labsupport/exercises/check.py"} <= made_by


@pytest.mark.parametrize(("message", "made_by"), card(), ids=[m[:40] for m, _ in card()])
def test_each_message_on_the_card_is_one_learners_really_get(message, made_by, produced):
    wanted = pattern(message)
    if any(wanted.fullmatch(text) for text in produced):
        return
    source = _source(made_by)
    assert source is not None, f"the card says {message!r} comes from {made_by}, which is not there"
    text = source.read_text()
    missing = [part.strip() for part in message.split("…") if len(part.strip()) > 3 and part.strip() not in text]
    assert not missing, f"{made_by} no longer says {missing} (the card quotes {message!r})"


def test_every_lesson_has_a_row_with_its_own_minutes():
    for path in LESSONS:
        text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells[:3] if c.cell_type == "markdown")
        time = re.search(r"\*\*Time:\*\* teaching (\d+) min · (?:exercises (\d+) min|no exercises)", text)
        minutes = f"{time.group(1)} + {time.group(2) or '0'} min"
        number = path.name.split("-")[0]
        row = re.search(rf"^\| {number} [^|]+\|[^|]+\| ([^|]+) \|", section("The lessons"), re.M)
        assert row, f"docs/instructor.md has no row for lesson {number}"
        assert row.group(1).strip() == minutes, f"lesson {number}: the guide says {row.group(1)}, the lesson {minutes}"


def test_the_files_and_commands_the_guide_names_exist():
    for path in re.findall(r"`((?:tests|labsupport|notebooks|\.ci|docs)/[\w./-]+\.(?:py|sh|md))`", TEXT):
        assert (ROOT / path).is_file(), path
    for name in ("requirements.txt", "requirements-hub.txt", "environment.yml"):
        assert name in TEXT and (ROOT / name).is_file()
    assert "docs/instructor.md" in (ROOT / "README.md").read_text()
