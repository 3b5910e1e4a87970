"""Pages on another port of this machine try to write with the to-do app's login cookie, in a real Chromium.

On a shared JupyterHub every learner's servers listen on ports of one host. The login cookie is
``SameSite=Strict``, but a site is a scheme and a host without the port, so a page served on
another port of ``127.0.0.1`` is the *same site* as the app, and the browser sends the cookie with
the page's requests. ``make_app`` sets Tornado's ``cross_origin_protection``, which refuses them
(``tornado/web.py``, ``_cross_origin_protection`` and ``_check_cross_origin``).

Chromium logs in from a page of the app's own origin, then opens pages on another port that
auto-submit a form and send two ``fetch(..., {mode: "no-cors", credentials: "include"})``:
one form-encoded, one a JSON text that the browser labels ``text/plain``. The app records
what it received (``log_function``) and must answer each 403 without creating a task. The
same attack against the app with the protection turned off creates three tasks: that is what
this test would see if the protection went. Playwright drives Debian's Chromium; without it
these tests skip, except in CI (``TORNADO_LAB_CI=1``), where they fail.
"""

from __future__ import annotations

import contextlib
import html
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import tornado.web

import labsupport
from labsupport.servers.todo import sqlite_url

from .browser import CHROMIUM, FLAGS, missing_browser, require
from .conftest import run
from .todo_helpers import PASSWORD, Todo, serving, tasks_url

TIMEOUT_MS = 10_000
ATTACKS = 3  # the form, and two fetches


@pytest.fixture(autouse=True)
def _browser_available():
    require(missing_browser())


@dataclass
class Seen:
    """One request as the app received it: which page sent it (as the browser says) and the answer."""

    method: str
    path: str
    status: int
    origin: str | None
    sec_fetch_site: str | None
    content_type: str
    with_cookie: bool


def recorder(seen: list[Seen]):
    """A ``log_function`` for the app's settings: Tornado calls it once per finished request."""
    def log(handler: tornado.web.RequestHandler) -> None:
        headers = handler.request.headers
        seen.append(Seen(handler.request.method, handler.request.path, handler.get_status(),
                         headers.get("Origin"), headers.get("Sec-Fetch-Site"),
                         headers.get("Content-Type", ""), "todo_user" in handler.request.cookies))
    return log


FORM_PAGE = """<!doctype html><title>a page on another port</title>
<form method="post" action="{target}"><input name="name" value="Planted by a form on another port"></form>
<script>document.forms[0].submit()</script>
"""
FETCH_PAGE = """<!doctype html><title>sending</title>
<script>
const target = {target};
const send = body => fetch(target, {{method: "POST", mode: "no-cors", credentials: "include", body}});
Promise.all([send(new URLSearchParams({{name: "Planted by fetch, form-encoded"}})),
             send(JSON.stringify({{name: "Planted by fetch, JSON sent as text/plain"}}))])
  .then(() => {{ document.title = "sent"; }}, error => {{ document.title = "failed: " + error; }});
</script>
"""


class PageView(tornado.web.RequestHandler):
    """GET /form or /fetch: the other port's page, aimed at ``target`` (the task list of the app)."""

    def initialize(self, target: str) -> None:
        self.target = target

    def get(self, page: str) -> None:
        if page == "form":
            self.write(FORM_PAGE.format(target=html.escape(self.target)))
        else:
            self.write(FETCH_PAGE.format(target=json.dumps(self.target)))


@contextlib.asynccontextmanager
async def browser_context() -> AsyncIterator:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            context = await browser.new_context()
            context.set_default_timeout(TIMEOUT_MS)
            yield context
        finally:
            await browser.close()


LOG_IN_AND_WRITE = """async ([username, password]) => {
  const post = (path, body, type) => fetch(path, {method: "POST", headers: {"Content-Type": type}, body})
    .then(response => response.status);
  const json = "application/json", form = "application/x-www-form-urlencoded";
  return [await post("/api/v1/accounts", JSON.stringify({username, email: "ada@example.org", password}), json),
          await post("/api/v1/accounts/login", JSON.stringify({username, password}), json),
          await post(`/api/v1/accounts/${username}/tasks`, JSON.stringify({name: "Written by the app's page"}), json),
          await post(`/api/v1/accounts/${username}/tasks`, "name=Written+by+a+form+of+the+app", form)];
}"""


async def attack(todo: Todo, seen: list[Seen], *, answer: int) -> list[Seen]:
    """Log ada in from the app's own page, then let two pages of another port write; return their requests."""
    from playwright.async_api import expect

    target = todo.url + tasks_url("ada")
    other = labsupport.serve(tornado.web.Application([(r"/(form|fetch)", PageView, {"target": target})]),
                             name="other-port-page", standalone=True)
    try:
        other_origin = other.url.rstrip("/")
        assert other_origin != todo.url and other_origin.startswith("http://127.0.0.1:")
        async with browser_context() as context:
            own = await context.new_page()
            await own.goto(todo.url + "/")  # a page of the app's origin: GET / answers JSON
            assert await own.evaluate(LOG_IN_AND_WRITE, ["ada", PASSWORD]) == [201, 200, 201, 201]
            assert await todo.counts() == (1, 2)
            page = await context.new_page()
            async with page.expect_response(lambda r: r.url == target and r.request.method == "POST") as info:
                await page.goto(other.url + "form")  # submits itself: the page becomes the app's answer
            response = await info.value
            assert response.status == answer
            if answer == 403:
                assert (await response.json())["error"]["status"] == 403  # the app's JSON error shape
            await page.goto(other.url + "fetch")
            await expect(page).to_have_title("sent")
        from_other = [s for s in seen if s.origin == other_origin]
        assert len(from_other) == ATTACKS, from_other
        return from_other
    finally:
        other.stop()


def test_pages_on_another_port_cannot_write_with_the_login_cookie(tmp_path):
    async def scenario() -> None:
        seen: list[Seen] = []
        async with serving(sqlite_url(tmp_path / "todo.db"), log_function=recorder(seen)) as todo:
            from_other = await attack(todo, seen, answer=403)
            assert await todo.counts() == (1, 2), "a page on another port created a task"
            assert [s.status for s in from_other] == [403] * ATTACKS, from_other
            for s in from_other:
                assert (s.method, s.path, s.with_cookie) == ("POST", tasks_url("ada"), True), s  # the cookie went
                assert s.sec_fetch_site == "same-site", s  # another port: same site, not same origin
            assert sorted(s.content_type.split(";")[0] for s in from_other) == [
                "application/x-www-form-urlencoded", "application/x-www-form-urlencoded", "text/plain"]
            own = [s for s in seen if s.method == "POST" and s.origin == todo.url]
            assert [s.status for s in own] == [201, 200, 201, 201], own
            assert {s.sec_fetch_site for s in own} == {"same-origin"}, own
            names = [name for _, name, _ in await todo.task_rows()]
            assert names == ["Written by the app's page", "Written by a form of the app"]
    run(scenario(), timeout=90)


def test_without_the_protection_the_same_pages_create_tasks(tmp_path):
    """The attack is real: with ``cross_origin_protection=False`` the cookie alone lets the pages write."""
    async def scenario() -> None:
        seen: list[Seen] = []
        async with serving(sqlite_url(tmp_path / "todo.db"), log_function=recorder(seen)) as todo:
            todo.app.settings["cross_origin_protection"] = False  # read on each request
            from_other = await attack(todo, seen, answer=201)
            assert [s.status for s in from_other] == [201] * ATTACKS, from_other
            assert await todo.counts() == (1, 2 + ATTACKS)
    run(scenario(), timeout=90)
