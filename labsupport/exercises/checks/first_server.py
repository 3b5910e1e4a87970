"""Checks for the exercises of lesson 02 (handlers, JSON bodies, JSON errors, default headers).

Example, in ``exercises/02-write-your-first-server.ipynb``::

    await labsupport.check("greet-handler", GreetHandler)
"""

from __future__ import annotations

import tornado.httpclient
import tornado.web

from ..check import CheckFailed, requirement, task
from .support import learner_class, not_done, request_line, served

__all__: list[str] = []


def _json_type(response, *, hint: str) -> None:
    """Fail unless ``response`` says it is JSON (any ``application/json`` Content-Type)."""
    content_type = response.headers.get("Content-Type", "")
    if not content_type.startswith("application/json"):
        raise CheckFailed(f"{request_line(response)} answered with Content-Type: {content_type or '(none)'}, "
                          f"expected application/json. Hint: {hint}")


@task("greet-handler", requirements={
    "greets": "GET /hello/<name> answers 'Hello, <name>!', with the name from the URL",
    "repeats": "?times=N repeats the greeting N times, one space between greetings and none at the end",
    "not-a-number": "a `times` that is not a whole number (two, 2.5, nothing) answers 400, not a 500",
    "in-range": "a `times` from 1 to 10 is greeted, and one below 1 or above 10 answers 400",
    "says-why": "each 400 comes from an ApiError whose message says what is wrong with `times`",
})
async def greet_handler(answer) -> str:
    learner = learner_class(answer, "GreetHandler")
    raised: list[BaseException | None] = []

    class GreetHandler(learner):
        def write_error(self, status_code, **kwargs):  # note which exception caused each error answer
            raised.append(kwargs.get("exc_info", (None, None, None))[1])
            super().write_error(status_code, **kwargs)

    async with served([(r"/hello/([a-z]+)", GreetHandler)]) as site:
        async def greeted(path: str, name: str, times: int, hint: str) -> None:
            response = await site.get(path)
            if response.status_code == 400:  # refused a `times` it should greet
                hint = ("with no `times`, greet once: it defaults to 1, and 1 to 10 are allowed, "
                        "1 <= times <= 10." if "?" not in path else "1 and 10 are allowed: compare with 1 <= times <= 10.")
            site.expect(response, 200, text=" ".join([f"Hello, {name}!"] * times), hint=hint)

        async def refused(times: str, hint: str) -> None:
            raised.clear()
            response = await site.get(f"/hello/ada?times={times}")
            site.expect(response, 400, hint=hint)
            requirement("says-why")
            error = raised[-1] if raised else None
            message = getattr(error, "message", None)
            if not (isinstance(message, str) and message):
                what = f"an {type(error).__name__} without a message" if error is not None else "no exception"
                raise CheckFailed(f"{request_line(response)} answered 400, but caused by {what}. Hint: raise "
                                  "ApiError(400, ...) with a message that says what is wrong with `times`; "
                                  "HTTPError(400) tells the client nothing.")
            if "times" not in message.lower():
                raise CheckFailed(f"{request_line(response)} answered 400 with the message {message!r}, which does "
                                  "not say what is wrong. Hint: name the parameter and what it must be, like "
                                  "\"'times' must be a whole number from 1 to 10\".")

        requirement("greets")
        for name in ("ada", "grace"):
            await greeted(f"/hello/{name}", name, 1,
                          hint="the captured group arrives as get(self, name); write f'Hello, {name}!'.")
        requirement("repeats")
        for name, times in (("grace", 3), ("ada", 2)):
            await greeted(f"/hello/{name}?times={times}", name, times,
                          hint="repeat the greeting `times` times with ' '.join([...] * times), so that there is "
                               "one space between greetings and none at the end.")
        requirement("not-a-number")
        for times in ("two", "2.5", ""):
            await refused(times, hint="int() raises ValueError for 'two', '2.5' and an empty string: call it "
                                      "inside try/except ValueError and raise ApiError(400, ...) when it fails "
                                      "(int(float(...)) would accept 2.5).")
        requirement("in-range")
        for times in (1, 10):
            await greeted(f"/hello/ada?times={times}", "ada", times,
                          hint="1 and 10 are allowed: compare with 1 <= times <= 10.")
        for times in ("0", "11", "-1"):
            await refused(times, hint="raise ApiError(400, ...) when the number is not from 1 to 10, "
                                      "both below 1 and above 10.")
    return ("/hello/ada → 'Hello, ada!', ?times=3 → three greetings, 1 and 10 allowed; times=two, 2.5, empty, "
            "0, 11 or -1 → 400, each from an ApiError that says why")


@task("json-body", requirements={
    "length": "a body {'text': ...} answers 200 {'length': ...}, the number of characters, for an empty text too",
    "not-json": "a body that is not JSON answers 400, not a 500",
    "not-utf8": "a body of bytes that are not UTF-8 answers 400, not a 500",
    "not-object": "JSON that is not an object (a list, a string, a number) answers 400, not a 500",
    "text-missing": "an object without 'text' answers 400",
    "text-type": "an object whose 'text' is not a string (a number, a list, null) answers 400",
})
async def json_body(answer) -> str:
    handler = learner_class(answer, "LengthHandler")
    async with served([(r"/length", handler)]) as site:
        requirement("length")
        for text in ("tornado", "", "ça va"):
            site.expect(await site.post("/length", json={"text": text}), 200, data={"length": len(text)},
                        hint="json.loads(self.request.body), then self.write({'length': len(text)}); an empty "
                             "text is a string too, of length 0." if not text else
                             "json.loads(self.request.body), then self.write({'length': len(text)}).")
        requirement("not-json")
        for body in (b"{oops", b""):
            site.expect(await site.post("/length", content=body), 400,
                        hint="catch the ValueError that json.loads raises and raise ApiError(400, ...).")
        requirement("not-utf8")
        site.expect(await site.post("/length", content=b"\xff"), 400,
                    hint="for bytes that are not UTF-8, json.loads raises UnicodeDecodeError, not JSONDecodeError; "
                         "both subclass ValueError, so catch ValueError.")
        requirement("not-object")
        for body in (["text"], "text", 5):
            site.expect(await site.post("/length", json=body), 400,
                        hint="json.loads returns whatever the JSON holds; the body is not an object unless "
                             "isinstance(body, dict): raise ApiError(400, ...) otherwise.")
        requirement("text-missing")
        site.expect(await site.post("/length", json={"txt": "tornado"}), 400,
                    hint="a missing 'text' is the client's mistake: don't default it, raise ApiError(400, ...).")
        requirement("text-type")
        for text in (5, ["a", "b"], None):
            site.expect(await site.post("/length", json={"text": text}), 400,
                        hint="check isinstance(body['text'], str) before you count: len() also counts the "
                             "items of a list, and raise ApiError(400, ...) otherwise.")
    return ("good JSON → 200 {'length': 7}, an empty text → 0; malformed JSON, bytes that are not UTF-8, "
            "a list, a string, a number, a missing field, a wrong type → 400")


def _error_answer(site, response, status: int, message: str, *, hint: str) -> None:
    """Fail unless ``response`` is the JSON error answer {"error": {"status": status, "message": message}}."""
    not_done(site.errors)
    site.expect(response, status, hint="keep the error's status: write_error is called with it, after Tornado "
                                       "has set it.")
    requirement("json")
    _json_type(response, hint="finish with a dict, which Tornado sends as application/json; json.dumps(...) "
                              "gives text, sent as text/html.")
    requirement("shape")
    try:
        data = response.json()
    except ValueError:
        data = None
    inner = data.get("error") if isinstance(data, dict) and set(data) == {"error"} else None
    if not (isinstance(inner, dict) and set(inner) == {"status", "message"} and inner["status"] == status):
        shown = response.text if len(response.text) <= 80 else response.text[:77] + "..."
        raise CheckFailed(f"{request_line(response)} answered {status} {shown}, expected "
                          f"{{\"error\": {{\"status\": {status}, \"message\": ...}}}}. Hint: finish with "
                          "{'error': {'status': status_code, 'message': message}}, the status and message inside "
                          "'error'.")
    if inner["message"] != message:
        raise CheckFailed(f"{request_line(response)} answered the message {inner['message']!r}, expected "
                          f"{message!r}. Hint: {hint}")


@task("json-errors", requirements={
    "json": "error answers are sent as JSON, with Content-Type application/json",
    "shape": "the JSON is {'error': {'status': ..., 'message': ...}}, with the error's own status code",
    "api-message": "an ApiError's answer carries the ApiError's own message",
    "standard-phrase": "an HTTPError that is not an ApiError answers the standard phrase of its status",
    "no-leak": "a crash answers only 'Internal Server Error', never the exception's text, even one with a `message`",
    "allow": "a 405 answer carries an Allow header that lists the methods the handler answers",
    "allow-defined": "Allow leaves out the methods of SUPPORTED_METHODS that the handler's class does not define",
})
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
    phrase = ("an error that is not an ApiError answers the standard phrase of its status, "
              "tornado.httputil.responses[status_code], whatever the status.")
    async with served(routes) as site:
        requirement("json")
        _error_answer(site, await site.get("/missing"), 404, message,
                      hint="use the message of the ApiError in kwargs['exc_info'] (self._reason is only the "
                           "status line's phrase).")
        requirement("standard-phrase")
        _error_answer(site, await site.get("/gone"), 410, "Gone", hint=phrase)
        requirement("no-leak")
        for path in ("/crash", "/upstream"):
            site.errors.clear()  # the crashes are on purpose
            response = await site.get(path)
            site.errors.clear()
            _error_answer(site, response, 500, "Internal Server Error",
                          hint="use the message only when isinstance(error, ApiError): other exceptions have a "
                               "`message` too, like tornado.httpclient.HTTPClientError, and a crash's text must "
                               "not reach the client; write_error is called for crashes too.")
        for path, method, allowed in (("/note", "PUT", {"GET", "DELETE"}), ("/notes", "DELETE", {"GET", "POST"})):
            requirement("standard-phrase")
            refused = await site.request(method, path)
            _error_answer(site, refused, 405, "Method Not Allowed", hint=phrase)
            requirement("allow")
            if "Allow" not in refused.headers:
                raise CheckFailed(f"{request_line(refused)} answered 405 with no Allow header, expected Allow: "
                                  f"{', '.join(sorted(allowed))}. Hint: on a 405, set the Allow header in "
                                  "write_error (send_error clears the headers just before calling it).")
            requirement("allow-defined")
            listed = {name.strip() for name in refused.headers["Allow"].split(",") if name.strip()}
            if listed != allowed:
                raise CheckFailed(f"{request_line(refused)} answered 405 with Allow: {refused.headers['Allow']}, "
                                  f"expected Allow: {', '.join(sorted(allowed))}. Hint: list the methods of "
                                  "self.SUPPORTED_METHODS that the handler's class defines itself, not those it "
                                  "inherits from tornado.web.RequestHandler.")
    return ("ApiError's message, HTTPError(410) → 'Gone', crashes → 'Internal Server Error', all as JSON; "
            "405 answers list the methods in Allow")


@task("default-headers", requirements={
    "headers": "an answer carries Content-Type: application/json; charset=UTF-8 and Cache-Control: no-store",
    "on-errors": "an error answer, a crash's included, carries both headers too",
    "no-server": "no answer carries a Server header, an error answer included",
})
async def default_headers(answer) -> str:
    base = learner_class(answer, "JSONHandler")
    wanted = {"Content-Type": "application/json; charset=UTF-8", "Cache-Control": "no-store"}

    class ListHandler(base):
        def get(self):
            self.write('["a", "b"]')

    class GoneHandler(base):
        def get(self):
            raise tornado.web.HTTPError(410)

    class CrashHandler(base):
        def get(self):
            return 1 / 0

    async with served([(r"/list", ListHandler), (r"/gone", GoneHandler), (r"/crash", CrashHandler)]) as site:
        requirement("headers")
        listed = await site.get("/list")
        cache = listed.headers.get("Cache-Control")
        site.expect(listed, 200, headers=wanted,
                    hint="no-cache still lets a cache store the answer (it only has to ask again before using "
                         "it); no-store forbids storing it." if cache == "no-cache" else
                         "set both headers in set_default_headers(self), which runs before every answer.")
        requirement("on-errors")
        gone = await site.get("/gone")
        site.expect(gone, 410, headers=wanted,
                    hint="headers set in get(), prepare() or initialize() are dropped when an error answer is "
                         "sent; set_default_headers runs for error answers too.")
        site.errors.clear()
        crash = await site.get("/crash")  # the crash is on purpose
        site.errors.clear()
        site.expect(crash, 500, headers=wanted,
                    hint="a crash's answer is an error answer too: set the headers in set_default_headers.")
        requirement("no-server")
        for response in (listed, gone, crash):
            if "Server" in response.headers:
                raise CheckFailed(f"{request_line(response)} answered with the header Server: "
                                  f"{response.headers['Server']}, expected no Server header. Hint: Tornado sets it "
                                  "just before calling set_default_headers, for every answer; remove it there with "
                                  "self.clear_header('Server').")
    return "Content-Type and Cache-Control, and no Server header, on a 200, an HTTPError's answer and a crash's"
