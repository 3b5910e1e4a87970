"""Checks for the exercises of lesson 02 (handlers, JSON bodies, JSON errors, default headers).

Example, in ``exercises/02-write-your-first-server.ipynb``::

    await labsupport.check("greet-handler", GreetHandler)
"""

from __future__ import annotations

import tornado.web

from ..check import task
from .support import learner_class, served

__all__: list[str] = []


@task("greet-handler")
async def greet_handler(answer) -> str:
    handler = learner_class(answer, "GreetHandler")
    async with served([(r"/hello/([a-z]+)", handler)]) as site:
        for name in ("ada", "grace"):
            site.expect(await site.get(f"/hello/{name}"), 200, text=f"Hello, {name}!",
                        hint="the captured group arrives as the argument of get(self, name).")
    return "GET /hello/ada → 200 'Hello, ada!', GET /hello/grace → 200 'Hello, grace!'"


@task("json-body")
async def json_body(answer) -> str:
    handler = learner_class(answer, "LengthHandler")
    async with served([(r"/length", handler)]) as site:
        site.expect(await site.post("/length", json={"text": "tornado"}), 200, data={"length": 7},
                    hint="json.loads(self.request.body), then self.write({'length': ...}).")
        site.expect(await site.post("/length", content=b"{oops"), 400,
                    hint="catch json.JSONDecodeError and raise tornado.web.HTTPError(400, reason=...).")
        for body in ({"text": 5}, {}, ["text"]):
            site.expect(await site.post("/length", json=body), 400,
                        hint="check that the body is an object whose 'text' is a string; otherwise raise HTTPError(400).")
    return "good JSON → 200 {'length': 7}; malformed JSON, a wrong type, a missing field → 400"


@task("json-errors")
async def json_errors(answer) -> str:
    base = learner_class(answer, "ApiHandler")

    class MissingHandler(base):
        def get(self):
            raise tornado.web.HTTPError(404, reason="No such note")

    class CrashHandler(base):
        def get(self):
            return 1 / 0

    async with served([(r"/missing", MissingHandler), (r"/crash", CrashHandler)]) as site:
        site.expect(await site.get("/missing"), 404, data={"error": {"status": 404, "message": "No such note"}},
                    hint="override write_error(self, status_code, **kwargs) and finish with "
                         "{'error': {'status': status_code, 'message': self._reason}}.")
        site.errors.clear()  # the crash below is on purpose
        crash = await site.get("/crash")
        site.errors.clear()
        site.expect(crash, 500, data={"error": {"status": 500, "message": "Internal Server Error"}},
                    hint="write_error is called for crashes too; never put the traceback in the answer.")
    return "404 and 500 both answer JSON {'error': {'status', 'message'}}"


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
        site.expect(await site.get("/list"), 200, headers=wanted,
                    hint="set both headers in set_default_headers(self), which runs before every answer.")
        site.expect(await site.get("/gone"), 410, headers={"Cache-Control": "no-store"},
                    hint="headers set in get() are dropped when an error answer is sent; set_default_headers "
                         "runs for error answers too.")
    return "Content-Type and Cache-Control on a 200 and on an error answer"
