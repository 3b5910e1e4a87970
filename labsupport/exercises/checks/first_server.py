"""Checks for the exercises of lesson 02 (handlers, JSON bodies, JSON errors, default headers).

Example, in ``exercises/02-write-your-first-server.ipynb``::

    await labsupport.check("greet-handler", GreetHandler)
"""

from __future__ import annotations

import tornado.web

from ..check import CheckFailed, task
from .support import learner_class, request_line, served

__all__: list[str] = []


class ApiError(tornado.web.HTTPError):
    """The exercise notebook's ApiError: an HTTPError that carries a message for the client."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(status)
        self.message = message


@task("greet-handler")
async def greet_handler(answer) -> str:
    handler = learner_class(answer, "GreetHandler")
    async with served([(r"/hello/([a-z]+)", handler)]) as site:
        for path, text in (("/hello/ada", "Hello, ada!"), ("/hello/grace?times=3", "Hello, grace! Hello, grace! Hello, grace!"),
                           ("/hello/ada?times=10", " ".join(["Hello, ada!"] * 10))):
            site.expect(await site.get(path), 200, text=text,
                        hint="the captured group arrives as get(self, name); repeat the greeting `times` times "
                             "with ' '.join(...), so that no space is left at the end.")
        for times in ("two", "0", "11", ""):
            site.expect(await site.get(f"/hello/ada?times={times}"), 400,
                        hint="call int() inside try/except ValueError, and raise ApiError(400, ...) both when it "
                             "fails and when the number is not from 1 to 10.")
    return "/hello/ada → 'Hello, ada!', ?times=3 → three greetings; times=two, 0, 11 or empty → 400"


@task("json-body")
async def json_body(answer) -> str:
    handler = learner_class(answer, "LengthHandler")
    async with served([(r"/length", handler)]) as site:
        site.expect(await site.post("/length", json={"text": "tornado"}), 200, data={"length": 7},
                    hint="json.loads(self.request.body), then self.write({'length': ...}).")
        site.expect(await site.post("/length", content=b"{oops"), 400,
                    hint="catch json.JSONDecodeError and raise ApiError(400, ...).")
        for body in ({"text": 5}, {}, ["text"]):
            site.expect(await site.post("/length", json=body), 400,
                        hint="check that the body is an object whose 'text' is a string; otherwise raise ApiError(400, ...).")
    return "good JSON → 200 {'length': 7}; malformed JSON, a wrong type, a missing field → 400"


@task("json-errors")
async def json_errors(answer) -> str:
    base = learner_class(answer, "ApiHandler")
    message = "No note called <milk>"  # as a reason, set_status would turn this into "Unknown"

    class MissingHandler(base):
        def get(self):
            raise ApiError(404, message)

    class GoneHandler(base):
        def get(self):
            raise tornado.web.HTTPError(410)

    class CrashHandler(base):
        def get(self):
            return 1 / 0

    async with served([(r"/missing", MissingHandler), (r"/gone", GoneHandler), (r"/crash", CrashHandler)]) as site:
        site.expect(await site.get("/missing"), 404, data={"error": {"status": 404, "message": message}},
                    hint="override write_error(self, status_code, **kwargs) and finish with "
                         "{'error': {'status': status_code, 'message': ...}}, where the message is the `message` of "
                         "the exception in kwargs['exc_info'] (self._reason is only the status line's phrase).")
        site.expect(await site.get("/gone"), 410, data={"error": {"status": 410, "message": "Gone"}},
                    hint="an error without a `message` answers the standard phrase, HTTPStatus(status_code).phrase.")
        site.errors.clear()  # the crash below is on purpose
        crash = await site.get("/crash")
        site.errors.clear()
        site.expect(crash, 500, data={"error": {"status": 500, "message": "Internal Server Error"}},
                    hint="write_error is called for crashes too: answer the standard phrase, never the "
                         "exception's text or its traceback.")
    return "ApiError's message, HTTPError(410) → 'Gone', a crash → 'Internal Server Error', all as JSON"


@task("default-headers")
async def default_headers(answer) -> str:
    base = learner_class(answer, "JSONHandler")
    wanted = {"Content-Type": "application/json; charset=UTF-8", "Cache-Control": "no-store"}

    class ListHandler(base):
        def get(self):
            self.write('["a", "b"]')

    class GoneHandler(base):
        def get(self):
            raise tornado.web.HTTPError(410)

    async with served([(r"/list", ListHandler), (r"/gone", GoneHandler)]) as site:
        listed = await site.get("/list")
        site.expect(listed, 200, headers=wanted,
                    hint="set both headers in set_default_headers(self), which runs before every answer.")
        gone = await site.get("/gone")
        site.expect(gone, 410, headers=wanted,
                    hint="headers set in get() or prepare() are dropped when an error answer is sent; "
                         "set_default_headers runs for error answers too.")
        for response in (listed, gone):
            if "Server" in response.headers:
                raise CheckFailed(f"{request_line(response)} answered with the header Server: "
                                  f"{response.headers['Server']}, expected no Server header. Hint: Tornado sets it "
                                  "just before calling set_default_headers; remove it there with "
                                  "self.clear_header('Server').")
    return "Content-Type and Cache-Control, and no Server header, on a 200 and on an error answer"
