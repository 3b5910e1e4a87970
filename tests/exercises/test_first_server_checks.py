"""More wrong answers for lesson 02's checks, beyond the one per requirement in wrong_answers/<task>/.

Each is another likely mistake against a requirement whose folder already holds one, with the
words its hint must contain.
"""

from __future__ import annotations

import pytest

import labsupport
from labsupport import CheckFailed

from ..conftest import run
from .test_checks import answers


def greet(parse: str = 'int(self.get_query_argument("times", "1"))', test: str = "not 1 <= times <= 10",
          message: str = "'times' must be a whole number from 1 to 10") -> str:
    return f'''
class GreetHandler(tornado.web.RequestHandler):
    def get(self, name):
        try:
            times = {parse}
        except ValueError:
            times = 0
        if {test}:
            raise ApiError(400, {message!r})
        self.write(" ".join([f"Hello, {{name}}!"] * times))
'''


MISTAKES = [
    ("greet-handler", greet(message="Bad request"), "which does not say what is wrong"),  # a message, but says nothing
    ("greet-handler", greet(parse='int(float(self.get_query_argument("times", "1")))'), "int(float(...))"),  # 2.5 → 2
    ("greet-handler", greet(test="not 1 <= times < 10"), "1 and 10 are allowed"),  # 10 refused
    ("greet-handler", greet(test="not 1 < times <= 10"), "it defaults to 1, and 1 to 10 are allowed"),  # ?times=1 refused
    ("default-headers", '''
class JSONHandler(tornado.web.RequestHandler):
    def set_default_headers(self):
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.clear_header("Server")
''', "expected 'application/json; charset=UTF-8'"),
    ("default-headers", '''
class JSONHandler(tornado.web.RequestHandler):
    def set_default_headers(self):
        self.set_header("Content-Type", "application/json; charset=UTF-8")
        self.set_header("Cache-Control", "no-store")

    def prepare(self):
        self.clear_header("Server")
''', "GET /gone answered with the header Server"),  # removed from the 200 only
]


@pytest.mark.parametrize(("task", "source", "hint"), MISTAKES, ids=[f"{t}-{i}" for i, (t, _, _) in enumerate(MISTAKES)])
def test_mistake_fails_with_its_hint(task, source, hint):
    with pytest.raises(CheckFailed) as failed:
        run(labsupport.check(task, *answers(task, source)))
    message = str(failed.value)
    assert message.startswith(f"✘ {task}: ") and hint in message, message
    assert "Traceback" not in message
