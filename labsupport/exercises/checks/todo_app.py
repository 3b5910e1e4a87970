"""Checks for the exercises of lessons 08-10 (the to-do app: new views, a filter, a date check, ownership).

Every check serves the real app of ``notebooks/todo`` on a fresh SQLite file, with the learner's
view in place of (or next to) the app's own, and sends it real requests. Example, in
``exercises/09-store-tasks-in-a-database.ipynb``::

    await labsupport.check("completed-filter", FilteredTaskListView)
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

import httpx
import tornado.routing
import tornado.web

from ..check import CheckFailed, task
from ...servers.todo import import_todo, sqlite_url
from .support import Site, learner_class, not_done, request_line, route_rules, serve_standalone, watched

__all__ = ["todo_app"]

SECRET = "tornado-lab-check"  # the cookie secret of the checked app; the check signs its own login cookies
JSON = "application/json; charset=UTF-8"


def todo_app():
    """The ``todo`` package the lessons wrote, imported on first use (it brings in SQLAlchemy)."""
    import_todo()
    import todo.accounts
    import todo.app
    import todo.models
    import todo.tasks
    return todo


def _view_class(answer: object, name: str, base: type = tornado.web.RequestHandler) -> type:
    if isinstance(answer, type) and issubclass(answer, tornado.web.RequestHandler) and not issubclass(answer, base):
        raise CheckFailed(f"{name} subclasses {answer.__mro__[1].__name__}; it should subclass "
                          f"{base.__module__}.{base.__name__}, so that it keeps what that view already does.")
    return learner_class(answer, name, base)


def _json(response: httpx.Response) -> object:
    try:
        return response.json()
    except ValueError:
        return None


class _TodoSite(Site):
    """The served app, a client, and the app itself (for its database and routes)."""

    def __init__(self, base: str, client: httpx.AsyncClient, errors: list[BaseException], app) -> None:
        super().__init__(base, client, errors)
        self.app = app

    async def account(self, username: str) -> dict[str, str]:
        """Create ``username`` straight in the database (no slow password hash); return its login header."""
        models = todo_app().models
        async with self.app.database.sessions.begin() as session:
            profile = models.Profile(username=username, email=f"{username}@example.org", password_hash="-")
            session.add(profile)
            await session.flush()
            profile_id = profile.id
        value = tornado.web.create_signed_value(SECRET, "todo_user", str(profile_id)).decode()
        return {"Cookie": f"todo_user={value}"}

    async def add_task(self, username: str, login: dict[str, str], **fields) -> int:
        """Create a task with the app's own POST; return its id."""
        response = await self.post(f"/api/v1/accounts/{username}/tasks", json=fields, headers=login)
        if response.status_code != 201:
            raise CheckFailed(f"creating a task with POST /api/v1/accounts/{username}/tasks answered "
                              f"{response.status_code} {response.text[:80]!r}, expected 201.{self.raised()} "
                              "Hint: keep the view's post() as it is; override only the method the task names.")
        return response.json()["id"]

    def expect_error(self, response: httpx.Response, status: int, *, hint: str, field: str | None = None) -> dict:
        """Fail unless ``response`` is the app's JSON error ``status`` (naming ``field`` in "fields", if given)."""
        not_done(self.errors)
        body = _json(response)
        error = body.get("error") if isinstance(body, dict) else None
        if response.status_code != status:
            problem = f"answered {response.status_code}"
        elif not isinstance(error, dict) or error.get("status") != status or not isinstance(error.get("message"), str):
            html = response.text.lstrip().startswith("<html>")
            shown = "Tornado's HTML error page" if html else repr(response.text[:80])
            problem = f"answered {status} with {shown}, not the app's JSON error"
        elif field is not None and field not in (error.get("fields") or {}):
            problem = f"answered {status} {response.text[:100]!r} with no message for the field {field!r} in \"fields\""
        else:
            return error
        wanted = (f'{{"error": {{"status": {status}, "message": ...'
                  + (f', "fields": {{"{field}": ...}}' if field else "") + "}}")
        raise CheckFailed(f"{request_line(response)} {problem}; expected {wanted}.{self.raised()} Hint: {hint}")

    def task_names(self, response: httpx.Response, *, hint: str) -> list[str]:
        """The names in a task list answer ``{"username": ..., "tasks": [...]}``."""
        self.expect(response, 200, hint=hint)
        body = _json(response)
        if not isinstance(body, dict) or not isinstance(body.get("tasks"), list):
            raise CheckFailed(f"{request_line(response)} answered {response.text[:80]!r}, expected "
                              '{"username": ..., "tasks": [...]}. Hint: send the same shape as TaskListView.get.')
        return [item.get("name") for item in body["tasks"] if isinstance(item, dict)]


@contextlib.asynccontextmanager
async def _served_todo(*, swap: dict[type, type] | None = None,
                       add: list[tuple[str, type]] = ()) -> AsyncIterator[_TodoSite]:
    """Serve the to-do app on a fresh SQLite file, ``swap``'s views replacing the app's, ``add``'s routes added."""
    todo = todo_app()
    errors: list[BaseException] = []
    swap = swap or {}
    with tempfile.TemporaryDirectory(prefix="todo-check-") as folder:
        app = todo.make_app(database_url=sqlite_url(Path(folder) / "check.db"), cookie_secret=SECRET,
                            log_function=lambda handler: None)
        for rule in route_rules(app.wildcard_router):
            if rule.target in swap:
                rule.target = watched(swap[rule.target], errors)
        routes = app.wildcard_router  # the app's routes sit under its host pattern, in a router of their own
        while len(routes.rules) == 1 and isinstance(routes.rules[0].target, tornado.routing.RuleRouter):
            routes = routes.rules[0].target
        routes.add_rules([(pattern, watched(view, errors)) for pattern, view in add])
        try:
            await app.database.create_tables()
            server = serve_standalone(app, prefix="check-todo")
            client = httpx.AsyncClient(timeout=5)
            try:
                yield _TodoSite(server.url, client, errors, app)
            finally:
                await client.aclose()
                await server.aclose()
                await asyncio.sleep(0.01)  # the views close their sessions just after answering
        finally:
            await app.database.close()


# Lesson 08 ------------------------------------------------------------------------------------


@task("health-view")
async def health_view(answer) -> str:
    view = _view_class(answer, "HealthView")
    json_errors = "subclass todo.base.BaseView: its write_error answers every error in JSON (405 with an Allow header)."
    async with _served_todo(add=[(r"/health", view)]) as site:
        site.expect(await site.get("/health"), 200, data={"status": "ok"}, headers={"Content-Type": JSON},
                    hint="answer with self.send({'status': 'ok'}): Tornado does not send what get returns.")
        for method in ("POST", "DELETE"):
            response = await site.request(method, "/health")
            site.expect_error(response, 405, hint=f"define get only, and {json_errors}")
            if response.headers.get("Allow") != "GET":
                raise CheckFailed(f"{method} /health answered 405 with Allow: {response.headers.get('Allow')!r}, "
                                  f"expected 'GET'. Hint: define get only, and {json_errors}")
        listed = (_json(await site.get("/")) or {}).get("routes", {}).get("/health")
        if listed != ["GET"]:
            raise CheckFailed(f"GET / lists /health with the methods {listed!r}, expected ['GET'].{site.raised()} "
                              f"Hint: define get only, and {json_errors}")
    return "GET /health → 200 {'status': 'ok'}; POST and DELETE → 405 JSON with Allow: GET; GET / lists it"


@task("echo-body")
async def echo_body(answer) -> str:
    view = _view_class(answer, "EchoView")
    hint = ("send {'received': self.form_data}: BaseView.prepare() already decoded a JSON or a form body into it "
            "(json.loads(self.request.body) reads JSON only).")
    async with _served_todo(add=[(r"/echo", view)]) as site:
        for how, kwargs, fields in (
            ("a JSON body", {"json": {"name": "milk", "completed": True}}, {"name": "milk", "completed": True}),
            ("a form body", {"data": {"name": "milk", "note": "2 litres"}}, {"name": "milk", "note": "2 litres"}),
            ("no body", {}, {}),
        ):
            response = await site.post("/echo", **kwargs)
            if response.status_code != 200 or _json(response) != {"received": fields}:
                raise CheckFailed(f"POST /echo with {how} answered {response.status_code} {response.text[:90]!r}, "
                                  f"expected 200 {{\"received\": {fields}}}.{site.raised()} Hint: {hint}")
        site.expect_error(await site.post("/echo", content=b"{oops", headers={"Content-Type": "application/json"}),
                          400, hint="let BaseView.prepare() decode the body: if you override prepare(), "
                                    "call super().prepare() first.")
    return "a JSON body, a form body and no body are echoed as {'received': ...}; broken JSON → 400 JSON"


# Lesson 09 ------------------------------------------------------------------------------------


@task("completed-filter")
async def completed_filter(answer) -> str:
    todo = todo_app()
    view = _view_class(answer, "FilteredTaskListView", todo.tasks.TaskListView)
    path = "/api/v1/accounts/ada/tasks"
    async with _served_todo(swap={todo.tasks.TaskListView: view}) as site:
        ada, bob = await site.account("ada"), await site.account("bob")
        for name, completed in (("milk", False), ("bread", True), ("eggs", False)):
            await site.add_task("ada", ada, name=name, completed=completed)
        await site.add_task("bob", bob, name="bob's", completed=True)
        for query, wanted, hint in (
            ("", ["milk", "bread", "eggs"], "without ?completed, list every task of the account, as before."),
            ("?completed=true", ["bread"], "?completed=true lists only the account's tasks whose completed is true: "
                                           "query.where(Task.completed == True) next to the owner's filter."),
            ("?completed=false", ["milk", "eggs"], "bool('false') is True: compare the text with 'true' and 'false' "
                                                   "and filter on Task.completed == (text == 'true')."),
        ):
            names = site.task_names(await site.get(path + query, headers=ada), hint=hint)
            if names != wanted:
                raise CheckFailed(f"GET {path}{query} listed {names}, expected {wanted} (in the order of their ids)."
                                  f"{site.raised()} Hint: {hint}")
        for value in ("yes", "1", "TRUE"):
            site.expect_error(await site.get(f"{path}?completed={value}", headers=ada), 400,
                              hint="for any value other than true or false, raise ApiError(400, message) "
                                   "saying what completed must be.")
        site.expect_error(await site.get(path + "?completed=true"), 401,
                          hint="start get with owner = await self.owner(username), as TaskListView.get does.")
        site.expect_error(await site.get(path + "?completed=true", headers=bob), 403,
                          hint="start get with owner = await self.owner(username), as TaskListView.get does.")
    return "?completed=true and =false filter the owner's tasks, no filter lists all, other values → 400 JSON"


@task("due-date-check")
async def due_date_check(answer) -> str:
    todo = todo_app()
    view = _view_class(answer, "CheckedTaskView", todo.tasks.TaskView)
    past, future = date.today() - timedelta(days=2), date.today() + timedelta(days=2)
    reject = ("check the cleaned due_date: if it is a date before date.today(), raise "
              "ApiError(400, message, fields={'due_date': ...}) before changing the task.")
    async with _served_todo(swap={todo.tasks.TaskView: view}) as site:
        ada, bob = await site.account("ada"), await site.account("bob")
        task_id = await site.add_task("ada", ada, name="milk")
        path = f"/api/v1/accounts/ada/tasks/{task_id}"

        async def stored() -> dict:
            return (await site.get(path, headers=ada)).json()  # the app's own GET, in a new session

        for body, due in (({"due_date": future.isoformat()}, future.isoformat()), ({"due_date": "2999-12-31"}, "2999-12-31"),
                          ({"name": "oat milk"}, "2999-12-31"), ({"due_date": None}, None)):
            response = await site.request("PUT", path, json=body, headers=ada)
            site.expect(response, 200, hint="a due date from today on, or null (no due date), is fine: "
                                            "compare only when the cleaned due_date is not None.")
            now = await stored()
            if now.get("due_date") != due or now.get("name") != body.get("name", now.get("name")):
                raise CheckFailed(f"PUT {path} {body} answered 200, but a GET afterwards shows due_date "
                                  f"{now.get('due_date')!r} and name {now.get('name')!r}: the change was not stored. "
                                  "Hint: decorate put with @in_transaction, so that its changes are committed.")
        for body in ({"due_date": past.isoformat()}, {"due_date": "2000-01-01", "name": "renamed"},
                     {"due_date": "31/12/2999"}):
            site.expect_error(await site.request("PUT", path, json=body, headers=ada), 400,
                              field="due_date", hint=reject)
            if (now := await stored()).get("name") != "oat milk" or now.get("due_date") is not None:
                raise CheckFailed(f"PUT {path} {body} was refused, but it changed the task to {now}. Hint: {reject}")
        missing = "/api/v1/accounts/ada/tasks/999999"
        site.expect_error(await site.request("PUT", missing, json={"name": "x"}, headers=ada), 404,
                          hint="start with task = await self.find_task(username, task_id), which "
                               "answers 404 for a missing task.")
        site.expect_error(await site.request("PUT", path, json={"name": "x"}, headers=bob), 403,
                          hint="start with task = await self.find_task(username, task_id), which checks the owner.")
    return ("future and null due dates are stored; past or malformed ones → 400 with fields.due_date, "
            "changing nothing; a missing task → 404")


# Lesson 10 ------------------------------------------------------------------------------------


@task("task-count")
async def task_count(answer) -> str:
    todo = todo_app()
    view = _view_class(answer, "TaskCountView", todo.auth.AccountView)
    owner_hint = "owner = await self.owner(username) answers 401 when nobody is logged in and 403 for someone else."
    async with _served_todo(add=[(rf"/api/v1/accounts/{todo.app.USER}/tasks/count", view)]) as site:
        ada, bob, carol = await site.account("ada"), await site.account("bob"), await site.account("carol")
        for name, completed in (("milk", False), ("bread", True), ("eggs", False)):
            await site.add_task("ada", ada, name=name, completed=completed)
        await site.add_task("bob", bob, name="bob's", completed=True)
        site.expect_error(await site.get("/api/v1/accounts/ada/tasks/count"), 401, hint=owner_hint)
        for who, login, total, done in (("ada", ada, 3, 1), ("bob", bob, 1, 1), ("carol", carol, 0, 0)):
            site.expect(await site.get(f"/api/v1/accounts/{who}/tasks/count", headers=login), 200,
                        data={"username": who, "tasks": total, "completed": done},
                        hint="count only the owner's tasks: select(func.count()).select_from(Task)"
                             ".where(Task.owner_id == owner.id), and again with Task.completed.")
        site.expect_error(await site.get("/api/v1/accounts/bob/tasks/count", headers=ada), 403,
                          hint=f"{owner_hint} self.logged_in() alone lets anyone read anyone's counts.")
        site.expect_error(await site.post("/api/v1/accounts/ada/tasks/count", headers=ada), 405,
                          hint="define get only; AccountView answers other methods with a JSON 405.")
    return "the owner gets {'username', 'tasks', 'completed'}; no login → 401, someone else → 403, POST → 405"
