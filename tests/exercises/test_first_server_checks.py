"""More wrong answers for lesson 02's checks: each requirement of a task can fail on its own.

tests/exercises/wrong_answers/ holds one wrong answer per task; these are the other mistakes a
learner is likely to make, each with the words its hint must contain.
"""

from __future__ import annotations

import pytest

import labsupport
from labsupport import CheckFailed

from ..conftest import run
from .test_checks import answers

LESSON_GREET = '''
class GreetHandler(tornado.web.RequestHandler):
    def get(self, name):
        times = int(self.get_query_argument("times", "1"))
        self.write(" ".join([f"Hello, {name}!"] * times))
'''

TRUSTING_LENGTH = '''
class LengthHandler(tornado.web.RequestHandler):
    def post(self):
        self.write({"length": len(json.loads(self.request.body)["text"])})
'''

REASON_ERRORS = '''
class ApiHandler(tornado.web.RequestHandler):
    def write_error(self, status_code, **kwargs):
        self.finish({"error": {"status": status_code, "message": self._reason}})
'''

ANY_MESSAGE_ERRORS = '''
class ApiHandler(tornado.web.RequestHandler):
    def write_error(self, status_code, **kwargs):
        error = kwargs.get("exc_info", (None, None, None))[1]
        message = getattr(error, "message", None) or tornado.httputil.responses.get(status_code, "Unknown")
        self.finish({"error": {"status": status_code, "message": message}})
'''

TEXT_ERRORS = '''
class ApiHandler(tornado.web.RequestHandler):
    def write_error(self, status_code, **kwargs):
        error = kwargs.get("exc_info", (None, None, None))[1]
        message = error.message if isinstance(error, ApiError) else tornado.httputil.responses[status_code]
        self.finish(json.dumps({"error": {"status": status_code, "message": message}}))
'''

MISTAKES = [
    ("greet-handler", LESSON_GREET, "try/except ValueError"),  # int("two") crashes: a 500
    ("json-body", TRUSTING_LENGTH, "expected 400"),  # malformed JSON crashes: a 500
    ("json-errors", REASON_ERRORS, "kwargs['exc_info']"),  # the status phrase, not the ApiError's message
    ("json-errors", ANY_MESSAGE_ERRORS, "isinstance(error, ApiError)"),  # leaks an HTTPClientError's text
    ("json-errors", TEXT_ERRORS, "expected application/json"),  # JSON text sent as text/html
]


@pytest.mark.parametrize(("task", "source", "hint"), MISTAKES, ids=[f"{t}-{i}" for i, (t, _, _) in enumerate(MISTAKES)])
def test_mistake_fails_with_its_hint(task, source, hint):
    with pytest.raises(CheckFailed) as failed:
        run(labsupport.check(task, *answers(task, source)))
    message = str(failed.value)
    assert message.startswith(f"✘ {task}: ") and hint in message, message
    assert "Traceback" not in message

