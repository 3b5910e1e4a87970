"""Tests for labsupport.check and the lesson checks: right answers pass, wrong ones get a hint."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
import tornado.web

import labsupport
from labsupport import CheckFailed

from .conftest import run

WRONG = Path(__file__).parent / "wrong_answers"
ANSWER_NAMES = {"gather-with-budget": "fetch_all", "deadline": "with_deadline", "unblock-the-kettle": "boil_kettle",
                "greet-handler": "GreetHandler", "json-body": "LengthHandler", "json-errors": "ApiHandler",
                "default-headers": "JSONHandler"}


async def fetch(delay):
    await asyncio.sleep(delay)
    return delay


def namespace(source: str) -> dict:
    """Run answer source the way a notebook cell would, with the exercise's imports."""
    names = {"asyncio": asyncio, "json": json, "time": time, "tornado": tornado, "fetch": fetch}
    exec(compile(source, "<answer>", "exec"), names)
    return names


RIGHT = {
    "gather-with-budget": "async def fetch_all(delays):\n    return await asyncio.gather(*(fetch(d) for d in delays))\n",
    "deadline": ("async def with_deadline(coro, seconds):\n    try:\n        async with asyncio.timeout(seconds):\n"
                 "            return await coro\n    except TimeoutError:\n        return None\n"),
    "unblock-the-kettle": "async def boil_kettle():\n    await asyncio.sleep(0.3)\n    return 'hot water'\n",
    "greet-handler": ("class GreetHandler(tornado.web.RequestHandler):\n    def get(self, name):\n"
                      "        self.write(f'Hello, {name}!')\n"),
    "json-body": ("class LengthHandler(tornado.web.RequestHandler):\n    def post(self):\n        try:\n"
                  "            body = json.loads(self.request.body)\n        except json.JSONDecodeError:\n"
                  "            raise tornado.web.HTTPError(400)\n"
                  "        if not isinstance(body, dict) or not isinstance(body.get('text'), str):\n"
                  "            raise tornado.web.HTTPError(400)\n        self.write({'length': len(body['text'])})\n"),
    "json-errors": ("class ApiHandler(tornado.web.RequestHandler):\n    def write_error(self, status_code, **kwargs):\n"
                    "        self.finish({'error': {'status': status_code, 'message': self._reason}})\n"),
    "default-headers": ("class JSONHandler(tornado.web.RequestHandler):\n    def set_default_headers(self):\n"
                        "        self.set_header('Content-Type', 'application/json; charset=UTF-8')\n"
                        "        self.set_header('Cache-Control', 'no-store')\n"),
}

WRONG_HINTS = {"gather-with-budget": "asyncio.gather", "deadline": "left slow() running",
               "unblock-the-kettle": "held the event loop", "greet-handler": "blocked the event loop",
               "json-body": "expected 400", "json-errors": "answered 200", "default-headers": "error answer"}


def answer(task: str, source: str):
    return namespace(source)[ANSWER_NAMES[task]]


def test_every_task_has_a_right_and_a_wrong_answer():
    from labsupport.checking import _TASKS
    import labsupport.checks  # noqa: F401
    assert set(_TASKS) == set(RIGHT) == {p.stem for p in WRONG.glob("*.py")}


@pytest.mark.parametrize("task", sorted(RIGHT))
def test_right_answer_passes(task, capsys):
    run(labsupport.check(task, answer(task, RIGHT[task])))
    assert capsys.readouterr().out.startswith(f"✔ {task} passed: ")


@pytest.mark.parametrize("task", sorted(RIGHT))
def test_wrong_answer_fails_with_a_hint(task):
    with pytest.raises(CheckFailed) as failed:
        run(labsupport.check(task, answer(task, (WRONG / f"{task}.py").read_text())))
    message = str(failed.value)
    assert message.startswith(f"✘ {task}: ") and WRONG_HINTS[task] in message
    assert "Traceback" not in message


@pytest.mark.parametrize("task", sorted(RIGHT))
def test_a_stub_says_not_done_yet(task):
    stub = RIGHT[task].replace("raise tornado.web.HTTPError(400)", "pass")
    body_line = {"gather-with-budget": "    return await", "deadline": "    try:", "unblock-the-kettle": "    await",
                 "greet-handler": "        self.write", "json-body": "        try:", "json-errors": "        self.finish",
                 "default-headers": "        self.set_header('Content-Type'"}[task]
    lines = stub.splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith(body_line))
    indent = body_line[: len(body_line) - len(body_line.lstrip())]
    stub = "\n".join(lines[:first] + [f"{indent}raise NotImplementedError()"]) + "\n"
    with pytest.raises(CheckFailed, match=f"✘ {task}: not done yet"):
        run(labsupport.check(task, answer(task, stub)))


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
