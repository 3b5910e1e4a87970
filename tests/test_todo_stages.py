"""The to-do app after each of lessons 08, 09 and 10, built from those lessons' cells alone.

For each stage, an empty folder gets the ``%%writefile`` cells of the lessons up to it, run by
IPython itself (the real magic, ``-a`` included). Then ``python -m todo`` starts there, as a
learner would start it in a terminal, and the test calls the routes that stage teaches, and
checks that the routes of later lessons are not there yet. Run with ``-s`` to see each stage.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

import labsupport
from labsupport.lesson_files import files_after, lesson_notebooks, writes
from labsupport.paths import ROOT_VARIABLE

from .conftest import ROOT

NOTEBOOKS = ROOT / "notebooks"
ROUTES = {
    "08": ["/", "/health"],
    "09": ["/", "/health", "/api/v1/accounts/<username>/tasks", "/api/v1/accounts/<username>/tasks/<task_id>"],
    "10": ["/", "/health", "/api/v1/accounts", "/api/v1/accounts/login", "/api/v1/accounts/logout",
           "/api/v1/accounts/<username>", "/api/v1/accounts/<username>/tasks",
           "/api/v1/accounts/<username>/tasks/<task_id>"],
}
ROUTES["11"] = ROUTES["10"] + ["/web/", "/web/login", "/web/logout", "/web/language", "/web/tasks/<task_id>",
                               "/static/<path>"]
ROUTES["12"] = ROUTES["11"]  # lesson 12 changes how the app starts, not what it answers
OPTIONS = {"08": {"hosts"}, "09": {"hosts", "database_url"}, "10": {"hosts", "database_url", "cookie_secret"},
           "11": {"hosts", "database_url", "cookie_secret", "translations"}}
OPTIONS["12"] = OPTIONS["11"]
SERVER_OPTIONS = dict.fromkeys(OPTIONS, {"port", "address"})
SERVER_OPTIONS["12"] = {"port", "address", "processes", "shutdown_timeout", "xheaders"}
RUN_CELLS = """
import json, sys
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
for source in json.load(sys.stdin):
    shell.run_cell(source).raise_error()
"""


def build(stage: str, folder: Path, *, over: Path | None = None) -> Path:
    """Run the %%writefile cells of the lessons up to ``stage`` in ``folder``, with IPython; return it.

    ``over``: a ``todo`` folder to start from (the course's, as a fresh clone has it), else none.
    """
    sources = []
    for path in lesson_notebooks(NOTEBOOKS):
        cells = json.loads(path.read_text())["cells"]
        sources += ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"
                    and "".join(cell["source"]).startswith("%%writefile") and " todo/" in "".join(cell["source"])
                    .partition("\n")[0]]
        if path.name.startswith(f"{stage}-"):
            break
    if over is not None:
        shutil.copytree(over, folder / "todo", ignore=shutil.ignore_patterns("__pycache__"))
    else:
        (folder / "todo").mkdir()
    for source in sources:  # lesson 11 makes its folders (templates/, locale/...) before writing in them
        (folder / source.partition("\n")[0].split()[-1]).parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-c", RUN_CELLS], input=json.dumps(sources), text=True, cwd=folder,
                   check=True, timeout=60, capture_output=True)
    return folder


@pytest.fixture(scope="module", params=sorted(ROUTES))
def stage(request, tmp_path_factory) -> tuple[str, Path]:
    return request.param, build(request.param, tmp_path_factory.mktemp(f"stage-{request.param}"))


def test_ipython_writes_what_the_lessons_say(stage):
    number, folder = stage
    expected = {target: text for target, text in files_after(number, folder=NOTEBOOKS).items()
                if target.startswith("todo/")}
    written = {f"todo/{p.relative_to(folder / 'todo').as_posix()}": p.read_text() for p in (folder / "todo").rglob("*")
               if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".mo", ".tmp")}
    assert written == expected


def test_the_options_are_the_stages_own(stage):
    number, folder = stage
    result = subprocess.run([sys.executable, "-m", "todo", "--help"], cwd=folder, capture_output=True, text=True,
                            timeout=60)
    app_part, _, server_part = result.stderr.split("app options:")[1].partition("server options:")
    for part, expected in ((app_part, OPTIONS[number]), (server_part, SERVER_OPTIONS[number])):
        assert {word.removeprefix("--").replace("-", "_") for word in part.split() if word.startswith("--")} == expected


def test_the_stage_starts_and_answers_what_it_teaches(stage, tmp_path):
    number, folder = stage
    server = labsupport.serve_todo(database=tmp_path / "stage.db", folder=folder, name=f"stage-{number}")
    try:
        with httpx.Client(base_url=server.url, timeout=20) as client:
            routes = client.get("/").json()["routes"]
            assert list(routes) == ROUTES[number]
            assert client.get("/health").json() == {"status": "ok"}
            assert client.post("/", content=b"{oops", headers={"Content-Type": "application/json"}).status_code == 400
            assert client.post("/", json={}).status_code == 405
            assert client.get("/", headers={"Host": "evil.example"}).status_code == 400
            seen = [f"lesson {number}: {len(routes)} routes, /health ok, bad JSON 400, POST / 405, foreign host 400"]
            seen += {"08": stage_08, "09": stage_09, "10": stage_10, "11": stage_11, "12": stage_12}[number](client)
        print("\n  ".join(seen))
        assert "Traceback" not in server.logs(), server.logs()
    finally:
        server.stop()


def stage_08(client: httpx.Client) -> list[str]:
    for path in ("/api/v1/accounts/ada/tasks", "/api/v1/accounts"):
        response = client.post(path, json={"name": "milk"})
        assert response.status_code == 404 and response.json()["error"]["status"] == 404
    return ["tasks and accounts routes: 404 (not there yet)"]


def stage_09(client: httpx.Client) -> list[str]:
    tasks = "/api/v1/accounts/ada/tasks"
    assert client.get("/api/v1/accounts/nobody/tasks").status_code == 404  # a GET creates nothing
    created = client.post(tasks, json={"name": "milk"})
    assert created.status_code == 201, created.text
    assert client.put(created.headers["Location"], json={"completed": True}).json()["completed"] is True
    assert [task["name"] for task in client.get(tasks).json()["tasks"]] == ["milk"]
    assert client.post(tasks, json={"name": 42}).status_code == 400
    assert client.delete(created.headers["Location"]).status_code == 204
    assert client.post("/api/v1/accounts", json={"username": "ada"}).status_code == 404
    assert client.post("/api/v1/accounts/login", json={"username": "ada"}).status_code == 404
    return ["a first POST creates ada and her task (201); PUT, GET, DELETE work; unknown name 404",
            "no logins yet: anyone reads ada's tasks; accounts and login routes 404"]


def stage_10(client: httpx.Client) -> list[str]:
    ada = {"username": "ada", "email": "ada@example.org", "password": "analytical engine"}
    assert client.post("/api/v1/accounts", json=ada).status_code == 201
    assert client.post("/api/v1/accounts/ada/tasks", json={"name": "milk"}).status_code == 401
    login = client.post("/api/v1/accounts/login", json={"username": "ada", "password": ada["password"]})
    assert login.status_code == 200, login.text
    assert client.post("/api/v1/accounts/ada/tasks", json={"name": "milk"}).status_code == 201
    assert client.get("/api/v1/accounts/bob/tasks").status_code == 403
    old_cookie = client.cookies["todo_user"]
    assert client.put("/api/v1/accounts/ada", json={"password": "a new password"}).status_code == 400
    change = {"password": "a new password", "current_password": ada["password"]}
    assert client.put("/api/v1/accounts/ada", json=change).status_code == 200
    assert client.get("/api/v1/accounts/ada/tasks").status_code == 200  # the answer set a new cookie
    client.cookies.clear()
    assert client.get("/api/v1/accounts/ada/tasks").status_code == 401
    assert client.get("/api/v1/accounts/ada/tasks", headers={"Cookie": f"todo_user={old_cookie}"}).status_code == 401
    return ["register 201, login 200; a task with the cookie 201, without it 401, another account's 403",
            "a password change needs current_password (400) and ends the older cookie (401)"]


def stage_11(client: httpx.Client) -> list[str]:
    import re
    seen = stage_10(client)
    token = lambda page: re.search(r'name="_xsrf" value="([^"]+)"', page.text).group(1)
    page = client.get("/web/")
    assert client.post("/web/login", data={"_xsrf": token(page), "username": "ada",
                                           "password": "a new password"}).status_code == 303
    page = client.get("/web/")
    assert client.post("/web/", data={"_xsrf": token(page), "name": "Kekse", "due_date": "2026-12-24"}).status_code == 303
    assert client.post("/web/", data={"_xsrf": token(page), "name": "", "due_date": "x"}).status_code == 400
    assert client.post("/web/", data={"name": "no token"}).status_code == 403
    for language, lang, date in [("en-US", "en-US", "December 24, 2026"), ("de", "de", "24. Dezember 2026"),
                                 ("pl", "pl", "24 grudnia 2026"), ("ja", "ja", "2026年12月24日"),
                                 ("fr-CH, de;q=0.9, en;q=0.8", "de", "24. Dezember 2026"),
                                 ("xx-YY", "en-US", "December 24, 2026"), ("!!;q=zz,,", "en-US", "December 24, 2026")]:
        page = client.get("/web/", headers={"Accept-Language": language})
        assert page.status_code == 200 and f'<html lang="{lang}">' in page.text and date in page.text, language
        assert 'id="task-count"' in page.text
    return seen + ["pages: login and a task by form 303, bad form 400, no token 403; en, de, pl, ja and fallbacks"]


def stage_12(client: httpx.Client) -> list[str]:
    """Lesson 12 changes how the app starts, not what it answers (tests/test_todo_production.py runs it)."""
    return stage_11(client) + ["lesson 12: --processes, --shutdown_timeout and --xheaders listed"]


def test_every_to_do_lesson_is_a_stage():
    lessons = [path.name[:2] for path in lesson_notebooks(NOTEBOOKS)
               if any(write.target.startswith("todo/") for write in writes(path))]
    assert lessons == sorted(ROUTES)


@pytest.mark.parametrize("number", ["08", "09"])
def test_the_lessons_exercises_pass_on_their_own_stage(number, tmp_path):
    """A learner does exercise 08 right after lesson 08: its solutions pass on the stage-08 app.

    As in a fresh clone, the folder starts as the course ships it (the finished app): the files of
    later lessons are still there, unused by this stage's app, and must not mislead the checks.
    """
    course = tmp_path / "course"
    (course / "notebooks").mkdir(parents=True)
    build(number, course / "notebooks", over=NOTEBOOKS / "todo")
    (solution,) = (ROOT / "exercises" / "solutions").glob(f"{number}-*.ipynb")
    (course / "exercises" / "solutions").mkdir(parents=True)
    shutil.copy(solution, course / "exercises" / "solutions" / solution.name)
    result = subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                             "--stdout", "--ExecutePreprocessor.timeout=120", solution.name],
                            cwd=course / "exercises" / "solutions", capture_output=True, text=True, timeout=600,
                            env={**os.environ, ROOT_VARIABLE: str(course)})
    assert result.returncode == 0, result.stderr[-3000:]
    outputs = [output for cell in json.loads(result.stdout)["cells"] if cell["cell_type"] == "code"
               for output in cell["outputs"]]
    assert [o for o in outputs if o["output_type"] == "error"] == []
    passed = [line for o in outputs for line in "".join(o.get("text", "")).splitlines() if "passed" in line]
    checks = sum("labsupport.check(" in "".join(cell["source"]) for cell in json.loads(solution.read_text())["cells"])
    assert len(passed) == checks > 0, passed
    print(f"\n  exercise {number} on the lesson-{number} app alone: {len(passed)} checks passed")
