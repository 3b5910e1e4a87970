"""Tests for labsupport.import_todo: the app the lessons wrote, imported without touching sys.path."""

from __future__ import annotations

import subprocess
import sys

from ..conftest import ROOT

SCRIPT = """
import sys, labsupport
before = list(sys.path)
todo = labsupport.import_todo()
from todo.base import BaseView
print(sys.path == before, todo.__file__)
"""


def run(code: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60,
                          cwd="/", env={"PATH": "/usr/bin:/bin", **env})


def test_the_app_imports_from_anywhere_and_sys_path_is_untouched():
    out = run(SCRIPT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"True {ROOT / 'notebooks' / 'todo' / '__init__.py'}"


def test_a_course_without_the_app_says_which_lesson_writes_it(tmp_path):
    out = run("import labsupport; labsupport.import_todo()", TORNADO_LAB_ROOT=str(tmp_path))
    assert out.returncode == 1
    assert f"There is no to-do app in {tmp_path.resolve() / 'notebooks' / 'todo'}" in out.stderr
    assert "Run the %%writefile cells of lesson 08 first" in out.stderr


HOST_SCRIPT = """
import asyncio, sys, httpx, labsupport
server = labsupport.serve_todo(database=sys.argv[1], fresh=True)
async def main():
    async with httpx.AsyncClient() as client:
        for host in ("127.0.0.1", "hub.example.org"):
            print(host, (await client.get(server.url, headers={"Host": host})).status_code)
try:
    asyncio.run(main())
finally:
    server.stop()
"""


def test_serve_todo_lets_the_hub_name_in_only_behind_a_proxy(tmp_path):
    """The hub's proxy passes the browser's Host header on; without a proxy, only this machine's names work."""
    alone = run(HOST_SCRIPT, str(tmp_path / "alone.db"))
    assert alone.returncode == 0, alone.stderr
    assert alone.stdout.split() == ["127.0.0.1", "200", "hub.example.org", "400"]
    hub = run(HOST_SCRIPT, str(tmp_path / "hub.db"), JUPYTERHUB_SERVICE_PREFIX="/user/ada/")
    assert hub.returncode == 0, hub.stderr
    assert hub.stdout.split() == ["127.0.0.1", "200", "hub.example.org", "200"]


FORGET = """
import sys, labsupport
from pathlib import Path
folder = Path(sys.argv[1])
(folder / "todo").mkdir()
(folder / "todo" / "__init__.py").write_text("VERSION = 1\\n")
(folder / "todo" / "app.py").write_text("ROUTES = ['/']\\n")
labsupport.import_todo(folder=folder)
import todo.app
(folder / "todo" / "app.py").write_text("ROUTES = ['/', '/health']\\n")
import todo.app as stale
print(stale.ROUTES)
print(labsupport.forget_todo())
labsupport.import_todo(folder=folder)
import todo.app as fresh
print(fresh.ROUTES)
"""


def test_forget_todo_lets_the_next_import_read_the_rewritten_files(tmp_path):
    result = subprocess.run([sys.executable, "-c", FORGET, str(tmp_path)], capture_output=True, text=True,
                            timeout=60, env={"LABSUPPORT_NO_EXTENSION": "1", "PATH": ""})
    assert result.stdout.splitlines() == ["['/']", "['todo', 'todo.app']", "['/', '/health']"], result.stderr
