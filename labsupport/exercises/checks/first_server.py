"""Checks for the exercises of lesson 02 (handlers, JSON bodies, JSON errors, default headers).

Example, in ``exercises/02-write-your-first-server.ipynb``::

    await labsupport.check("greet-handler", GreetHandler)
"""

from __future__ import annotations

import tornado.httpclient
import tornado.web

from ..check import CheckFailed, task
from .support import learner_class, request_line, served

__all__: list[str] = []


def _json_type(response, *, hint: str) -> None:
    """Fail unless ``response`` says it is JSON (any ``application/json`` Content-Type)."""
    content_type = response.headers.get("Content-Type", "")
    if not content_type.startswith("application/json"):
        raise CheckFailed(f"{request_line(response)} answered with Content-Type: {content_type or '(none)'}, "
                          f"expected application/json. Hint: {hint}")


@task("greet-handler")
async def greet_handler(answer) -> str:
    learner = learner_class(answer, "GreetHandler")
    raised: list[BaseException | None] = []

    class GreetHandler(learner):
        def write_error(self, status_code, **kwargs):  # note which exception caused each error answer
            raised.append(kwargs.get("exc_info", (None, None, None))[1])
            super().write_error(status_code, **kwargs)

    async with served([(r"/hello/([a-z]+)", GreetHandler)]) as site:
        for path, text in (("/hello/ada", "Hello, ada!"), ("/hello/grace?times=3", "Hello, grace! Hello, grace! Hello, grace!"),
                           ("/hello/ada?times=10", " ".join(["Hello, ada!"] * 10))):
            site.expect(await site.get(path), 200, text=text,
                        hint="the captured group arrives as get(self, name); repeat the greeting `times` times "
                             "with ' '.join(...), so that no space is left at the end.")
        for times in ("two", "0", "11", ""):
            raised.clear()
            response = await site.get(f"/hello/ada?times={times}")
            site.expect(response, 400,
                        hint="call int() inside try/except ValueError, and raise ApiError(400, ...) both when it "
                             "fails and when the number is not from 1 to 10.")
            error = raised[-1] if raised else None
            if not (isinstance(getattr(error, "message", None), str) and error.message):
                what = f"an {type(error).__name__} without a message" if error is not None else "no exception"
                raise CheckFailed(f"{request_line(response)} answered 400, but caused by {what}. Hint: raise "
                                  "ApiError(400, ...) with a message that says what is wrong with `times`; "
                                  "HTTPError(400) tells the client nothing.")
    return "/hello/ada → 'Hello, ada!', ?times=3 → three greetings; times=two, 0, 11 or empty → 400, each from an error with a message"


@task("json-body")
async def json_body(answer) -> str:
    handler = learner_class(answer, "LengthHandler")
    async with served([(r"/length", handler)]) as site:
        site.expect(await site.post("/length", json={"text": "tornado"}), 200, data={"length": 7},
                    hint="json.loads(self.request.body), then self.write({'length': ...}).")
        site.expect(await site.post("/length", content=b"{oops"), 400,
                    hint="catch the ValueError that json.loads raises and raise ApiError(400, ...).")
        site.expect(await site.post("/length", content=b"\xff"), 400,
                    hint="for bytes that are not UTF-8, json.loads raises UnicodeDecodeError, not JSONDecodeError; "
                         "both subclass ValueError, so catch ValueError.")
        for body in ({"text": 5}, {}, ["text"]):
            site.expect(await site.post("/length", json=body), 400,
                        hint="check that the body is an object whose 'text' is a string; otherwise raise ApiError(400, ...).")
    return "good JSON → 200 {'length': 7}; malformed JSON, bytes that are not UTF-8, a list, a wrong type, a missing field → 400"


@task("json-errors")
async def json_errors(answer, api_error=None) -> str:
    base = learner_class(answer, "ApiHandler")
    error_class = learner_class(api_error, "ApiError", tornado.web.HTTPError)
    message = "No note called <milk>"  # as a reason, set_status would turn this into "Unknown"

    class MissingHandler(base):
        def get(self):
            raise error_class(404, message)

    class GoneHandler(base):
        def get(self):
            raise tornado.web.HTTPError(410)

    class CrashHandler(base):
        def get(self):
            return 1 / 0

    class UpstreamHandler(base):  # a failed fetch: not an ApiError, but it has a `message` too
        def get(self):
            raise tornado.httpclient.HTTPClientError(599, "Timeout connecting to db.internal:5432")

    class NoteHandler(base):  # PUT is not in SUPPORTED_METHODS
        SUPPORTED_METHODS = ("GET", "DELETE")

        def get(self):
            self.write({})

        def delete(self):
            self.set_status(204)

    class NotesHandler(base):  # DELETE is supported, but not defined
        def get(self):
            self.write({})

        def post(self):
            self.write({})

    routes = [(r"/missing", MissingHandler), (r"/gone", GoneHandler), (r"/crash", CrashHandler),
              (r"/upstream", UpstreamHandler), (r"/note", NoteHandler), (r"/notes", NotesHandler)]
    json_hint = "finish with a dict, which Tornado sends as application/json."
    async with served(routes) as site:
        missing = await site.get("/missing")
        site.expect(missing, 404, data={"error": {"status": 404, "message": message}},
                    hint="override write_error(self, status_code, **kwargs) and finish with "
                         "{'error': {'status': status_code, 'message': ...}}, where the message is that of the "
                         "ApiError in kwargs['exc_info'] (self._reason is only the status line's phrase).")
        _json_type(missing, hint=json_hint)
        site.expect(await site.get("/gone"), 410, data={"error": {"status": 410, "message": "Gone"}},
                    hint="an error that is not an ApiError answers the standard phrase of its status, "
                         "from tornado.httputil.responses.")
        site.errors.clear()  # the crash below is on purpose
        crash = await site.get("/crash")
        site.errors.clear()
        site.expect(crash, 500, data={"error": {"status": 500, "message": "Internal Server Error"}},
                    hint="write_error is called for crashes too: answer the standard phrase, never the "
                         "exception's text or its traceback.")
        _json_type(crash, hint=json_hint)
        site.errors.clear()  # and so is this one
        upstream = await site.get("/upstream")
        site.errors.clear()
        site.expect(upstream, 500, data={"error": {"status": 500, "message": "Internal Server Error"}},
                    hint="use the message only when isinstance(error, ApiError): other exceptions have a "
                         "`message` too, like tornado.httpclient.HTTPClientError, and a crash's text must not "
                         "reach the client.")
        for path, method, allowed in (("/note", "PUT", {"GET", "DELETE"}), ("/notes", "DELETE", {"GET", "POST"})):
            refused = await site.request(method, path)
            site.expect(refused, 405, data={"error": {"status": 405, "message": "Method Not Allowed"}},
                        hint="a 405 is an error like any other: answer the standard phrase.")
            listed = {name.strip() for name in refused.headers.get("Allow", "").split(",") if name.strip()}
            if listed != allowed:
                got = f"Allow: {refused.headers['Allow']}" if "Allow" in refused.headers else "no Allow header"
                raise CheckFailed(f"{request_line(refused)} answered 405 with {got}, expected Allow: "
                                  f"{', '.join(sorted(allowed))}. Hint: on a 405, set the Allow header in "
                                  "write_error to the methods of self.SUPPORTED_METHODS that the handler's class "
                                  "defines itself, not those it inherits from tornado.web.RequestHandler.")
    return ("ApiError's message, HTTPError(410) → 'Gone', a crash → 'Internal Server Error', all as JSON; "
            "405 answers list the methods in Allow")


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
