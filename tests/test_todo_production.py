"""``python -m todo`` as lesson 12 runs it: worker processes, a graceful stop under load, bad options.

Every server here is ``labsupport.serve_todo`` (a real process on a free port of 127.0.0.1), stopped
at the end of its test, also on failure. The load only ever targets that port.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import sqlite3
import subprocess
import sys
import time

import httpx
import psutil
import pytest

import labsupport

from .conftest import ROOT

NOTEBOOKS = ROOT / "notebooks"
JSON = {"Content-Type": "application/json"}
TASKS = "api/v1/accounts/ada/tasks"


@pytest.fixture
def serve(tmp_path):
    """serve(*options) -> the app in a process on a fresh SQLite file; every one is stopped at the end."""
    started = []

    def start(*options: str, name: str = "todo-production"):
        server = labsupport.serve_todo(database=tmp_path / "todo.db", fresh=True, name=name, options=list(options))
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


async def log_in(url: str) -> dict[str, str]:
    async with httpx.AsyncClient(base_url=url, headers=JSON) as client:
        assert (await client.post("/api/v1/accounts", json={"username": "ada", "email": "ada@example.org",
                                                            "password": "correct horse"})).status_code == 201
        assert (await client.post("/api/v1/accounts/login",
                                  json={"username": "ada", "password": "correct horse"})).status_code == 200
        return {"Cookie": f"todo_user={client.cookies['todo_user']}"}


def wait_for(found, what: str, timeout: float = 10.0):
    """Poll ``found()`` until it is true (a log line is written after its answer; workers start after the port answers)."""
    deadline = time.monotonic() + timeout
    while not (value := found()):
        assert time.monotonic() < deadline, f"no {what} within {timeout:g} s"
        time.sleep(0.05)
    return value


def last_log_line(server) -> str:
    return server.logs().strip().splitlines()[-1]


def creates(cookie: dict[str, str]) -> dict:
    return dict(method="POST", body=json.dumps({"name": "buy milk"}).encode(), headers=cookie | JSON, progress=False)


def stored_tasks(folder) -> int:
    with sqlite3.connect(folder / "todo.db") as connection:
        return connection.execute("SELECT count(*) FROM tasks").fetchone()[0]


def creates_answered_by(server) -> list[str]:
    return re.findall(r"pid (\d+) app\] 201 POST .*/tasks from", server.logs())


def test_two_processes_share_the_port_and_both_answer(serve, tmp_path):
    server = serve("--processes=2", "--logging=info")
    def pythons():
        found = [p for p in psutil.Process(server.pid).children(recursive=True) if "todo" in " ".join(p.cmdline())]
        return found if len(found) == 3 else None  # the parent that forked, and two workers

    found = wait_for(pythons, "worker processes")
    workers = [p for p in found if p.ppid() in {q.pid for q in found}]
    assert len(workers) == 2
    cookie = asyncio.run(log_in(server.url))
    result = asyncio.run(labsupport.load(server.url + TASKS, requests=200, concurrency=20, **creates(cookie)))
    assert result.statuses == {201: 200}
    wait_for(lambda: len(creates_answered_by(server)) == 200, "log line for each create")
    # Which worker accepts is up to the kernel: all 20 connections above may land on one.
    # With the other worker paused (SIGSTOP), new connections can only be accepted by this one.
    for worker, other in (workers, workers[::-1]):
        before = len(creates_answered_by(server))
        other.suspend()
        try:
            alone = asyncio.run(labsupport.load(server.url + TASKS, requests=20, concurrency=2, **creates(cookie)))
        finally:
            other.resume()
        assert alone.statuses == {201: 20}
        wait_for(lambda: len(creates_answered_by(server)) == before + 20, "log line for each create")
        assert set(creates_answered_by(server)[before:]) == {str(worker.pid)}
    assert stored_tasks(tmp_path) == 240


@pytest.mark.parametrize("processes", [1, 2])
def test_sigterm_under_load_answers_every_request_in_flight_and_loses_no_write(serve, tmp_path, processes):
    server = serve(f"--processes={processes}", "--shutdown_timeout=5")

    async def go():
        cookie = await log_in(server.url)
        creating = asyncio.create_task(labsupport.load(server.url + TASKS, requests=5000, concurrency=20,
                                                       max_seconds=20, **creates(cookie)))
        await asyncio.sleep(0.8)
        signal_at = time.perf_counter()
        await asyncio.to_thread(server.stop)
        return signal_at, await creating

    signal_at, result = asyncio.run(go())
    in_flight = [r for r in result if r.start <= signal_at < r.end]
    assert in_flight and all(r.status == 201 for r in in_flight), [(r.status, r.error) for r in in_flight]
    assert set(result.statuses) == {201}  # no 5xx, nothing but creates
    assert stored_tasks(tmp_path) == result.statuses[201]
    assert set(result.error_kinds) <= {"connection refused", "connection reset by server"}, result.error_kinds
    assert "Traceback" not in server.logs(), server.logs()


def test_a_request_that_never_finishes_is_cut_off_at_the_shutdown_timeout(serve):
    server = serve("--shutdown_timeout=1")
    with socket.create_connection((server.host, server.port)) as stuck:
        stuck.sendall(b"POST /api/v1/accounts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                      b"Content-Length: 100\r\n\r\n{\"user")  # and the rest of the body never comes
        time.sleep(0.3)
        started = time.monotonic()
        server.stop()
        took = time.monotonic() - started
    assert 0.9 < took < 4, took
    assert "1 requests still in progress after 1 s: closing them" in server.logs(), server.logs()


def test_an_idle_server_stops_at_once(serve):
    server = serve("--shutdown_timeout=10")
    assert httpx.get(server.url + "health").status_code == 200
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("option, message", [
    ("--processes=-1", "--processes=-1: give 1 to 64, or 0 for one per core"),
    ("--processes=1000", "--processes=1000: give 1 to 64, or 0 for one per core"),
    ("--shutdown_timeout=-1", "--shutdown_timeout=-1: give 0 to 3600 seconds"),
    ("--debug", "Unrecognized command line option: 'debug'"),
])
def test_options_that_make_no_sense_stop_the_start_with_one_line(option, message):
    result = subprocess.run([sys.executable, "-m", "todo", option], cwd=NOTEBOOKS, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == f"todo: cannot start: {message}"
    assert "Traceback" not in result.stderr


def test_a_port_in_use_is_named():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "todo", f"--port={port}", "--processes=2"], cwd=NOTEBOOKS,
                                capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip() == f"todo: cannot start on 127.0.0.1:{port}: [Errno 98] Address already in use"


@pytest.mark.parametrize("xheaders", [False, True])
def test_xheaders_believes_whatever_the_client_says_when_no_proxy_is_in_front(serve, xheaders):
    server = serve("--logging=info", *(["--xheaders"] if xheaders else []))
    forged = {"X-Real-Ip": "203.0.113.9", "X-Scheme": "https"}
    assert httpx.get(server.url + "health", headers=forged).status_code == 200
    line = wait_for(lambda: "GET" in last_log_line(server) and last_log_line(server), "log line")
    if xheaders:  # the danger lesson 12 shows: on only behind a proxy that sets these headers
        assert re.search(r"200 GET https://127\.0\.0\.1:\d+/health from 203\.0\.113\.9", line), line
    else:
        assert re.search(r"200 GET http://127\.0\.0\.1:\d+/health from 127\.0\.0\.1", line), line
