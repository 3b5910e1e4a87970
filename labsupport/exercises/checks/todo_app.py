"""Checks for the exercises of lessons 08-10 (the to-do app: hooks, options, a filter, a date check, ownership).

Every check but settings-order serves the real app of ``notebooks/todo`` on a fresh SQLite file,
with the learner's view in place of (or next to) the app's own, and sends it real requests;
settings-order calls the learner's function in this process, many times. Example, in
``exercises/09-store-tasks-in-a-database.ipynb``::

    await labsupport.check("completed-filter", FilteredTaskListView)
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import inspect
import sys
import tempfile
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

import httpx
import tornado.routing
import tornado.web

from ..check import CheckFailed, requirement, task
from ...servers.todo import import_todo, sqlite_url
from .support import Site, learner_class, not_done, request_line, route_rules, serve_standalone, watched

__all__ = ["todo_app"]

SECRET = "tornado-lab-check"  # the cookie secret of the checked app; the check signs its own login cookies
JSON = "application/json; charset=UTF-8"


def todo_app(*modules: str):
    """The ``todo`` package the lessons wrote, with ``modules`` (``"tasks"``: ``todo.tasks``) imported.

    A learner's folder holds the app as far as they have come: after lesson 08, ``todo.app`` does
    not import ``todo.tasks`` (a file lesson 09 writes may be in the folder, from the course's
    finished app, but it is not part of the app yet), and a check of lesson 09 says which
    lesson's cells to run first.
    """
    todo = import_todo()
    importlib.import_module("todo.app")
    for name in modules:
        if f"todo.{name}" not in sys.modules:  # the app as the lessons left it does not use it
            lesson = LESSON_OF.get(name, "09 or 10")
            raise CheckFailed(f"the app in notebooks/todo does not use todo/{name}.py yet: this exercise builds on "
                              f"lesson {lesson}. Run that lesson's %%writefile cells first, then this cell again.")
    return todo


def has_logins() -> bool:
    """True once lesson 10 has added accounts: before, anyone may use any account's tasks."""
    import todo.auth

    return todo.auth.AccountView.get_current_user is not tornado.web.RequestHandler.get_current_user


LESSON_OF = {"tasks": "09", "models": "09", "auth": "09", "accounts": "10", "passwords": "10"}


def _view_class(answer: object, name: str, base: type = tornado.web.RequestHandler) -> type:
    if isinstance(answer, type) and issubclass(answer, tornado.web.RequestHandler) and not issubclass(answer, base):
        raise CheckFailed(f"{name} subclasses {answer.__mro__[1].__name__}; it should subclass "
                          f"{base.__module__}.{base.__name__}, so that it keeps what that view already does.")
    return learner_class(answer, name, base)


def _function(answer: object, name: str):
    if callable(answer) and not isinstance(answer, type):
        return answer
    raise CheckFailed(f"{name} should be a function, not {type(answer).__name__}. "
                      "Did you run the cell that defines it?")


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
        models = todo_app("models").models
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
                       add: list[tuple[str, type]] = (), default: type | None = None) -> AsyncIterator[_TodoSite]:
    """Serve the to-do app on a fresh SQLite file, ``swap``'s views replacing the app's, ``add``'s routes added.

    ``default`` replaces the app's ``default_handler_class`` (NotFoundView), which Tornado reads from
    ``app.settings`` for each request that no route takes (web.py, ``Application.find_handler``).
    """
    todo = todo_app()
    errors: list[BaseException] = []
    swap = swap or {}
    with tempfile.TemporaryDirectory(prefix="todo-check-") as folder:
        wanted = {"database_url": sqlite_url(Path(folder) / "check.db"), "cookie_secret": SECRET}
        accepted = inspect.signature(todo.make_app).parameters  # what the app takes, as far as the lessons came
        app = todo.make_app(**{name: value for name, value in wanted.items() if name in accepted},
                            log_function=lambda handler: None)
        for rule in route_rules(app.wildcard_router):
            if rule.target in swap:
                rule.target = watched(swap[rule.target], errors)
        routes = app.wildcard_router  # the app's routes sit under its host pattern, in a router of their own
        while len(routes.rules) == 1 and isinstance(routes.rules[0].target, tornado.routing.RuleRouter):
            routes = routes.rules[0].target
        routes.add_rules([(pattern, watched(view, errors)) for pattern, view in add])
        if default is not None:
            app.settings["default_handler_class"] = watched(default, errors)
        try:
            await app.open()
            server = serve_standalone(app, prefix="check-todo")
            client = httpx.AsyncClient(timeout=5)
            try:
                yield _TodoSite(server.url, client, errors, app)
            finally:
                await client.aclose()
                await server.aclose()
                await asyncio.sleep(0.01)  # the views close their sessions just after answering
        finally:
            await app.close()


# Lesson 08 ------------------------------------------------------------------------------------


REQUEST_ID_HEADER = "X-Request-Id"


@task("request-id", budget=10.0, requirements={  # 24 requests; a loaded machine may need more than 5 s
    "refuses": "a request without an X-Request-Id that REQUEST_ID fullmatches (none, empty, a space, 65 characters) gets the JSON 400",
    "every-method": "a bad id is refused whatever the method: GET, POST and DELETE alike",
    "names-header": "the 400's message names X-Request-Id",
    "no-echo-refused": "a refused request's answer carries no X-Request-Id",
    "goes-on": "with a good id the request goes on as in PingView: GET 200, POST and DELETE the JSON 405, a broken body BaseView's 400",
    "echoes-on-errors": "every answer to a good id, the errors included, carries X-Request-Id with that id",
})
async def request_id(answer) -> str:
    view = _view_class(answer, "TracedView")
    in_prepare = ("check the header in prepare(), which Tornado calls before every method, also one the view "
                  "does not define: raise ApiError(400, ...) naming X-Request-Id when REQUEST_ID does not "
                  "fullmatch it.")
    echo = ("an error answer starts from fresh headers: send_error() calls clear(), which resets them and calls "
            "set_default_headers() again. Set X-Request-Id in set_default_headers() (after super()'s), "
            "only when REQUEST_ID fullmatches it; self.request is already set when it runs.")
    async with _served_todo(add=[(r"/traced", view)]) as site:
        refused = {"no X-Request-Id": {}, "a 65-character id": {REQUEST_ID_HEADER: "a" * 65},
                   "the id 'bad id'": {REQUEST_ID_HEADER: "bad id"}, "an empty id": {REQUEST_ID_HEADER: ""}}
        for how, headers in refused.items():
            for method in ("GET", "POST", "DELETE"):
                requirement("refuses" if method == "GET" else "every-method")
                response = await site.request(method, "/traced", headers=headers)
                error = site.expect_error(response, 400, hint=f"that request had {how}; {in_prepare}")
                requirement("names-header")
                if REQUEST_ID_HEADER.lower() not in error["message"].lower():
                    raise CheckFailed(f"{method} /traced with {how} answered 400 {error['message']!r}, a message "
                                      f"that does not name X-Request-Id. Hint: say which header is missing or wrong.")
                requirement("no-echo-refused")
                if REQUEST_ID_HEADER in response.headers:
                    raise CheckFailed(f"{method} /traced with {how} was refused, but the answer carries "
                                      f"X-Request-Id: {response.headers[REQUEST_ID_HEADER]!r}. Hint: echo the id "
                                      "only when REQUEST_ID fullmatches it; never send back what you refused.")
        for number, rid in enumerate(("req-42", "7f3a9c1e-b2d4-4c6e-9a8b-0123456789ab", "Z" * 64)):
            ask = {REQUEST_ID_HEADER: rid}
            requirement("goes-on")
            answers = [(await site.get("/traced", headers=ask), 200),
                       (await site.post("/traced", headers=ask), 405),
                       (await site.request("DELETE", "/traced", headers=ask), 405),
                       (await site.post("/traced", content=b"{oops",
                                        headers=ask | {"Content-Type": "application/json"}), 400)]
            site.expect(answers[0][0], 200, data={"pong": True},
                        hint="with a good id, prepare() must let the request through: keep PingView's get.")
            for response, _ in answers:
                if response.headers.get("Content-Type") != JSON:
                    raise CheckFailed(f"{request_line(response)} with X-Request-Id: {rid} answered with Content-Type: "
                                      f"{response.headers.get('Content-Type')!r}, expected {JSON!r}.{site.raised()} "
                                      "Hint: start set_default_headers() with super().set_default_headers(), "
                                      "which sets BaseView's JSON Content-Type.")
            site.expect_error(answers[1][0], 405, hint="a good id reaches the method: POST is not defined, so 405.")
            if number == 0:
                site.expect_error(answers[3][0], 400, hint="a POST with a good id and the body {oops must get "
                                                          "BaseView's 400: end prepare() with super().prepare(), "
                                                          "so that BaseView still reads (and refuses) the body.")
            requirement("echoes-on-errors")
            for response, status in answers:
                if response.headers.get(REQUEST_ID_HEADER) != rid:
                    raise CheckFailed(f"{request_line(response)} with X-Request-Id: {rid} answered {status} "
                                      f"with X-Request-Id: {response.headers.get(REQUEST_ID_HEADER)!r}, expected "
                                      f"{rid!r}.{site.raised()} Hint: {echo}")
    return ("no id, a bad id or one over 64 characters → 400 JSON for GET, POST and DELETE; a good id is "
            "echoed on 200, 405 and 400 answers alike")


@task("settings-order", requirements={
    "defaults": "with no settings, greeting is 'Hello' and max_tasks 100",
    "environ": "GREETING and MAX_TASKS of the dict environ (not os.environ) override the defaults, and other variables are ignored",
    "argv-wins": "the options in argv win over the environment",
    "dash": "--max-tasks with a dash works as well as --max_tasks, and wins over MAX_TASKS too",
    "int": "max_tasks is an int, also when it comes from the environment",
    "fresh": "every call starts from the defaults: a value given to one call never shows up in the next",
    "exits": "a bad value (--max_tasks=many, MAX_TASKS=lots, --greeting with no value) ends with sys.exit('settings: ...')",
    "says-what": "that exit message is one line that quotes what was wrong",
})
async def settings_order(answer) -> str:
    read = _function(answer, "read_settings")
    default = {"greeting": "Hello", "max_tasks": 100}
    leak = ("define the options on a parser of the call's own, parser = tornado.options.OptionParser(): "
            "the global options keep every value they were given, and define() works once per name.")
    order = ("like parse_options: build the arguments as [argv[0], *from_environ, *argv[1:]] and parse them "
             "once; Tornado keeps an option's last value, so the command line wins.")
    kinds = ("catch what Tornado raises for a bad value (there is more than one kind: try --max_tasks=many "
             "and --greeting) and end with sys.exit('settings: ' + the error's text).")

    def call(argv: list[str], environ: dict[str, str]):
        try:
            return read(argv, environ)
        except SystemExit as stop:
            return stop
        except NotImplementedError:
            raise
        except Exception as exc:
            hint = leak if "already defined" in str(exc) else kinds
            raise CheckFailed(f"read_settings({argv}, {environ}) raised {type(exc).__name__}: {exc}. "
                              f"Hint: {hint}") from None

    cases = (
        ("defaults", ["settings"], {}, default,
         "define greeting with default='Hello' and max_tasks with default=100 (an int, so that the option is an int)."),
        ("environ", ["settings"], {"GREETING": "Hi", "MAX_TASKS": "5", "PATH": "/usr/bin"},
         {"greeting": "Hi", "max_tasks": 5},
         "read GREETING and MAX_TASKS from the dict environ (not os.environ), as --greeting=... and --max_tasks=..."),
        ("argv-wins", ["settings", "--max_tasks=7"], {"GREETING": "Hi", "MAX_TASKS": "5"},
         {"greeting": "Hi", "max_tasks": 7}, order),
        ("argv-wins", ["settings", "--greeting=Hey there", "--max-tasks=8"], {"GREETING": "Hi"},
         {"greeting": "Hey there", "max_tasks": 8}, order),
        ("dash", ["settings", "--max-tasks=9"], {"GREETING": "Hi", "MAX_TASKS": "5"}, {"greeting": "Hi", "max_tasks": 9},
         "Tornado reads --max-tasks as --max_tasks, so do not look for an option's spelling in argv yourself: "
         + order),
        ("fresh", ["settings"], {}, default, leak),
        ("fresh", ["settings"], {"MAX_TASKS": "3"}, {"greeting": "Hello", "max_tasks": 3}, leak),
    )
    for key, argv, environ, wanted, hint in cases:
        requirement(key)
        got = call(argv, environ)
        if isinstance(got, SystemExit):
            raise CheckFailed(f"read_settings({argv}, {environ}) ended the program with sys.exit({got.code!r}), "
                              f"expected {wanted}. Hint: {leak if 'already defined' in str(got.code) else hint}")
        shown = {name: got.get(name) for name in wanted} if isinstance(got, dict) else got
        if isinstance(got, dict) and shown == {**wanted, "max_tasks": str(wanted["max_tasks"])}:
            requirement("int")
            raise CheckFailed(f"read_settings({argv}, {environ}) returned {got!r}: max_tasks is the text "
                              f"{shown['max_tasks']!r}, expected the int {wanted['max_tasks']}. Hint: an option's "
                              "type comes from its default (or type=): define max_tasks with default=100, and let "
                              "the parser read the environment's values, which converts them.")
        if shown != wanted or not isinstance(got["max_tasks"], int):
            raise CheckFailed(f"read_settings({argv}, {environ}) returned {got!r}, expected {wanted} "
                              f"(max_tasks an int). Hint: {hint}")
    for argv, environ, quoted in ((["settings", "--max_tasks=many"], {}, "many"),
                                  (["settings"], {"MAX_TASKS": "lots"}, "lots"),
                                  (["settings", "--greeting"], {}, "greeting")):
        requirement("exits")
        got = call(argv, environ)
        code = got.code if isinstance(got, SystemExit) else None
        what = f"ended with sys.exit({code!r})" if isinstance(got, SystemExit) else f"returned {got!r}"
        if not (isinstance(code, str) and code.startswith("settings: ")):
            raise CheckFailed(f"read_settings({argv}, {environ}) {what}; expected sys.exit('settings: ...'). "
                              f"Hint: {kinds} Python prints a text exit code as one line and exits with code 1.")
        requirement("says-what")
        if "\n" in code or quoted not in code:
            raise CheckFailed(f"read_settings({argv}, {environ}) {what}; expected one line that quotes "
                              f"{quoted!r}, so that the user sees what was wrong. Hint: pass the text of Tornado's "
                              "exception, which names the option and the value, to sys.exit after 'settings: '.")
    return ("defaults < GREETING/MAX_TASKS < the command line (--max-tasks too), fresh on every call, max_tasks "
            "an int; bad values end with one 'settings: ...' line that quotes them (exit code 1)")


@task("trailing-slash", budget=10.0, requirements={  # 19 requests
    "redirects": "GET or HEAD of a path that ends with / gets 301 to the same path without its trailing slash",
    "all-slashes": "every trailing slash goes: /api/v1/accounts// goes to /api/v1/accounts",
    "keeps-query": "the query string is kept: /tasks/?completed=true goes to /tasks?completed=true",
    "308-for-others": "POST, PUT and DELETE of such a path get 308 to the same place",
    "no-open-redirect": "a path a browser reads as starting with two slashes (//evil.example/, /\\evil.example/) is never redirected, and gets the JSON 404",
    "host-first": "a host name that is not ours gets the JSON 400, with or without a slash",
    "unknown-404": "an unknown path without a trailing slash gets the JSON 404, whatever the method",
})
async def trailing_slash(answer) -> str:
    todo = todo_app()
    view = _view_class(answer, "SlashView", todo.base.NotFoundView)
    redirect = ("in prepare(), for a path that ends with / (a browser reads \\ as /), redirect to "
                "path.rstrip('/') plus '?' + the query if there is one: self.redirect(url, status=...), 301 for "
                "GET and HEAD, 308 for the other methods, then return.")
    async with _served_todo(default=view) as site:
        async def ask(method: str, path: str, **kwargs) -> httpx.Response:
            try:  # the full URL, so that a path with two initial slashes stays as it is
                return await site.client.request(method, site.base.rstrip("/") + path, **kwargs)
            except httpx.HTTPError as exc:
                raise CheckFailed(f"{method} {path} got no answer ({type(exc).__name__}).{site.raised()}") from None

        requirement("redirects")
        site.expect(await ask("GET", "/"), 200,
                    hint="leave the routes alone: SlashView only gets the requests that they do not take.")
        for key, method, path, location, hint in (
            ("redirects", "GET", "/api/v1/accounts/ada/tasks/", "/api/v1/accounts/ada/tasks", redirect),
            ("redirects", "HEAD", "/api/v1/accounts/ada/", "/api/v1/accounts/ada",
             "HEAD is answered like GET: 301. " + redirect),
            ("keeps-query", "GET", "/api/v1/accounts/ada/tasks/?completed=true",
             "/api/v1/accounts/ada/tasks?completed=true",
             "self.request.path has no query: add '?' + self.request.query when there is one."),
            ("all-slashes", "GET", "/api/v1/accounts//", "/api/v1/accounts",
             "take away every trailing slash, path.rstrip('/'), not just the last one."),
            ("308-for-others", "POST", "/api/v1/accounts/", "/api/v1/accounts",
             "POST, PUT and DELETE get 308, which tells the client to repeat the same method with the same "
             "body: status=301 if the method is GET or HEAD, else 308."),
            ("308-for-others", "PUT", "/api/v1/accounts/ada/tasks/1/", "/api/v1/accounts/ada/tasks/1", redirect),
            ("308-for-others", "DELETE", "/api/v1/accounts/ada/?x=1", "/api/v1/accounts/ada?x=1", redirect),
        ):
            requirement(key)
            status = 301 if method in ("GET", "HEAD") else 308
            response = await ask(method, path, **({"json": {"name": "milk"}} if method in ("POST", "PUT") else {}))
            not_done(site.errors)
            if response.status_code != status or response.headers.get("Location") != location:
                raise CheckFailed(f"{method} {path} answered {response.status_code} with Location: "
                                  f"{response.headers.get('Location')!r}, expected {status} to {location!r}."
                                  f"{site.raised()} Hint: {hint}")
        requirement("unknown-404")
        for method in ("GET", "POST", "DELETE"):
            site.expect_error(await ask(method, "/api/v2/tasks"), 404,
                              hint="a path without a trailing slash gets NotFoundView's answer: let "
                                   "super().prepare() raise, whatever the method.")
        requirement("no-open-redirect")
        for path in ("//evil.example/", "/\\evil.example/", "//evil.example//?next=1"):
            response = await ask("GET", path)
            if "Location" in response.headers:
                raise CheckFailed(f"GET {path} redirected to {response.headers['Location']!r}, which a browser "
                                  "reads as another site (a protocol-relative URL): an open redirect. Hint: when "
                                  "the path, with \\ read as /, starts with two slashes, let NotFoundView answer 404.")
            site.expect_error(response, 404, hint="when the path starts with two slashes, call super().prepare().")
        requirement("host-first")
        for method in ("GET", "POST", "DELETE"):
            for path in ("/api/v1/accounts/ada/", "/api/v2/tasks"):
                site.expect_error(await ask(method, path, headers={"Host": "evil.example"}), 400,
                                  hint="a host name not ours gets NotFoundView's 400 first, with or without a "
                                       "slash: call super().prepare() first, and redirect only when it raises 404.")
    return ("GET/HEAD → 301 and other methods → 308 to the path without its slashes, query kept; '//' and "
            "'/\\' paths and other host names are not redirected; unknown paths → 404 JSON")


# Lesson 09 ------------------------------------------------------------------------------------


@task("completed-filter", requirements={
    "no-filter": "without ?completed, the list stays complete",
    "true": "?completed=true lists only the account's completed tasks",
    "false": "?completed=false lists only the account's tasks that are not completed",
    "other-400": "any other value (yes, 1, TRUE) gets the app's JSON 400",
    "says-what": "that 400's message says what completed must be: true or false",
    "owners-only": "only the tasks of the account the URL names are listed, to its owner only",
})
async def completed_filter(answer) -> str:
    todo = todo_app("tasks")
    view = _view_class(answer, "FilteredTaskListView", todo.tasks.TaskListView)
    path = "/api/v1/accounts/ada/tasks"
    owner_hint = ("keep the owner's filter: add the completed condition to the query you are given, "
                  "query.where(...), which already has Task.owner_id == owner.id.")
    async with _served_todo(swap={todo.tasks.TaskListView: view}) as site:
        ada, bob = await site.account("ada"), await site.account("bob")
        for name, completed in (("milk", False), ("bread", True), ("eggs", False)):
            await site.add_task("ada", ada, name=name, completed=completed)
        await site.add_task("bob", bob, name="bob's", completed=True)
        for key, query, wanted, hint in (
            ("no-filter", "", ["milk", "bread", "eggs"],
             "without ?completed, list every task of the account, as before: filter only when "
             "get_query_argument('completed', None) is not None."),
            ("true", "?completed=true", ["bread"], "?completed=true lists only the account's tasks whose completed is "
                                                   "true: query.where(Task.completed == True) next to the owner's filter."),
            ("false", "?completed=false", ["milk", "eggs"], "bool('false') is True: compare the text with 'true' and "
                                                            "'false' and filter on Task.completed == (text == 'true')."),
        ):
            requirement(key)
            names = site.task_names(await site.get(path + query, headers=ada), hint=hint)
            if "bob's" in names:
                requirement("owners-only")
                raise CheckFailed(f"GET {path}{query} listed {names}, with bob's task among ada's. Hint: {owner_hint}")
            if names != wanted:
                raise CheckFailed(f"GET {path}{query} listed {names}, expected {wanted} (in the order of their ids)."
                                  f"{site.raised()} Hint: {hint}")
        for value in ("yes", "1", "TRUE"):
            requirement("other-400")
            error = site.expect_error(await site.get(f"{path}?completed={value}", headers=ada), 400,
                                      hint="only the texts true and false are filters: for any other value, raise "
                                           "ApiError(400, message) saying what completed must be.")
            requirement("says-what")
            message = error["message"].lower()
            if not ("completed" in message and "true" in message and "false" in message):
                raise CheckFailed(f"GET {path}?completed={value} answered 400 with the message {error['message']!r}, "
                                  "which does not say what completed must be. Hint: name the parameter and the two "
                                  "values it may have, true and false, so that the client can fix its request.")
        requirement("owners-only")
        if has_logins():  # lesson 10's app: only the logged-in owner may list
            site.expect_error(await site.get(path + "?completed=true"), 401,
                              hint="start get with owner = await self.owner(username), as TaskListView.get does.")
            site.expect_error(await site.get(path + "?completed=true", headers=bob), 403,
                              hint="start get with owner = await self.owner(username), as TaskListView.get does.")
        names = site.task_names(await site.get("/api/v1/accounts/bob/tasks?completed=false", headers=bob),
                                hint="filter the tasks of the account the URL names: start get with "
                                     "owner = await self.owner(username), as TaskListView.get does.")
        if names:
            raise CheckFailed(f"GET /api/v1/accounts/bob/tasks?completed=false listed {names}; bob has only "
                              f"a completed task, so expected []. Hint: {owner_hint}")
    return ("?completed=true and =false filter the owner's tasks, no filter lists all, other values → 400 JSON "
            "saying what completed must be")


@task("due-date-check", requirements={
    "future-ok": "a due date from today on, today included, is accepted and stored",
    "stores": "an accepted change is stored: a GET afterwards shows it",
    "null-clears": "null still clears the due date",
    "refuses-past": "a due date before today, yesterday included, gets the per-field 400 naming due_date",
    "changes-nothing": "a refused request changes nothing, not even its other fields",
    "finds-task": "a missing task, or one asked for under another account's URL, gets 404, and someone else 403",
})
async def due_date_check(answer) -> str:
    todo = todo_app("tasks")
    view = _view_class(answer, "CheckedTaskView", todo.tasks.TaskView)
    today = date.today()
    yesterday, future = today - timedelta(days=1), today + timedelta(days=2)
    reject = ("check the cleaned due_date: if it is a date before date.today(), raise "
              "ApiError(400, message, fields={'due_date': ...}) before changing the task.")
    async with _served_todo(swap={todo.tasks.TaskView: view}) as site:
        ada, bob = await site.account("ada"), await site.account("bob")
        task_id = await site.add_task("ada", ada, name="milk")
        path = f"/api/v1/accounts/ada/tasks/{task_id}"

        async def stored() -> dict:
            return (await site.get(path, headers=ada)).json()  # the app's own GET, in a new session

        for key, body, due, hint in (
            ("future-ok", {"due_date": future.isoformat()}, future.isoformat(),
             "a due date from today on is fine: refuse only dates before today."),
            ("future-ok", {"due_date": today.isoformat()}, today.isoformat(),
             "today is not in the past: refuse only due_date < date.today(), not <=."),
            ("future-ok", {"due_date": "2999-12-31"}, "2999-12-31", "a due date from today on is fine."),
            ("stores", {"name": "oat milk"}, "2999-12-31", "a PUT without due_date changes the other fields only."),
            ("null-clears", {"due_date": None}, None,
             "null (no due date) is fine: compare only when the cleaned due_date is not None."),
        ):
            requirement(key)
            response = await site.request("PUT", path, json=body, headers=ada)
            site.expect(response, 200, hint=hint)
            requirement("stores")
            now = await stored()
            if now.get("due_date") != due or now.get("name") != body.get("name", now.get("name")):
                raise CheckFailed(f"PUT {path} {body} answered 200, but a GET afterwards shows due_date "
                                  f"{now.get('due_date')!r} and name {now.get('name')!r}: the change was not stored. "
                                  "Hint: set each cleaned field on the task, setattr(task, name, value), in put, "
                                  "which @in_transaction commits.")
        for body in ({"due_date": yesterday.isoformat()}, {"due_date": "2000-01-01", "name": "renamed"},
                     {"due_date": "31/12/2999"}):
            requirement("refuses-past")
            site.expect_error(await site.request("PUT", path, json=body, headers=ada), 400,
                              field="due_date", hint=reject)
            requirement("changes-nothing")
            if (now := await stored()).get("name") != "oat milk" or now.get("due_date") is not None:
                raise CheckFailed(f"PUT {path} {body} was refused, but it changed the task to {now}. Hint: {reject}")
        requirement("finds-task")
        missing = "/api/v1/accounts/ada/tasks/999999"
        site.expect_error(await site.request("PUT", missing, json={"name": "x"}, headers=ada), 404,
                          hint="start with task = await self.find_task(username, task_id), which "
                               "answers 404 for a missing task.")
        if has_logins():
            site.expect_error(await site.request("PUT", path, json={"name": "x"}, headers=bob), 403,
                              hint="start with task = await self.find_task(username, task_id), which checks the owner.")
        site.expect_error(await site.request("PUT", f"/api/v1/accounts/bob/tasks/{task_id}", json={"name": "x"},
                                             headers=bob), 404,
                          hint="start with task = await self.find_task(username, task_id), which answers 404 "
                               "for a task of another account.")
        if (now := await stored()).get("name") != "oat milk":
            raise CheckFailed(f"a PUT of ada's task by bob changed it to {now}. Hint: start with "
                              "task = await self.find_task(username, task_id), which checks the owner.")
    return ("today's, future and null due dates are stored; past (yesterday's too) or malformed ones → 400 with "
            "fields.due_date, changing nothing; a missing task or another account's → 404")


# Lesson 10 ------------------------------------------------------------------------------------


@task("task-count", requirements={
    "needs-login": "without a login the count answers 401",
    "counts": "the owner gets {\"username\": ..., \"tasks\": ...} with how many tasks the account has, its own only",
    "completed": "\"completed\" is how many of those tasks are completed",
    "owner-only": "anyone but the owner gets 403",
})
async def task_count(answer) -> str:
    todo = todo_app("accounts", "auth")
    view = _view_class(answer, "TaskCountView", todo.auth.AccountView)
    owner_hint = "owner = await self.owner(username) answers 401 when nobody is logged in and 403 for someone else."
    async with _served_todo(add=[(rf"/api/v1/accounts/{todo.app.USER}/tasks/count", view)]) as site:
        ada, bob, carol = await site.account("ada"), await site.account("bob"), await site.account("carol")
        for name, completed in (("milk", False), ("bread", True), ("eggs", False)):
            await site.add_task("ada", ada, name=name, completed=completed)
        await site.add_task("bob", bob, name="bob's", completed=True)
        requirement("needs-login")
        site.expect_error(await site.get("/api/v1/accounts/ada/tasks/count"), 401, hint=owner_hint)
        for who, login, total, done in (("ada", ada, 3, 1), ("bob", bob, 1, 1), ("carol", carol, 0, 0)):
            requirement("counts")
            response = await site.get(f"/api/v1/accounts/{who}/tasks/count", headers=login)
            site.expect(response, 200, hint="answer the owner with self.send({...}).")
            body = _json(response)
            body = body if isinstance(body, dict) else {}
            if body.get("username") != who or body.get("tasks") != total:
                raise CheckFailed(f"GET /api/v1/accounts/{who}/tasks/count answered {response.text[:80]!r}, expected "
                                  f'"username": "{who}" and "tasks": {total}.{site.raised()} Hint: count only the '
                                  "owner's tasks: select(func.count()).select_from(Task).where(Task.owner_id == owner.id).")
            requirement("completed")
            if body.get("completed") != done:
                raise CheckFailed(f"GET /api/v1/accounts/{who}/tasks/count answered {response.text[:80]!r}, expected "
                                  f'"completed": {done} ({who} has {done} completed of {total}).{site.raised()} Hint: '
                                  "add .where(Task.completed) to the owner's count: a condition SQLAlchemy builds, "
                                  "not Python's `is True` or a filter on the loaded tasks.")
        requirement("owner-only")
        site.expect_error(await site.get("/api/v1/accounts/bob/tasks/count", headers=ada), 403,
                          hint=f"{owner_hint} self.current_user alone lets anyone read anyone's counts.")
        site.expect_error(await site.post("/api/v1/accounts/ada/tasks/count", headers=ada), 405,
                          hint="define get only; AccountView answers other methods with a JSON 405.")
    return "the owner gets {'username', 'tasks', 'completed'}; no login → 401, someone else → 403, POST → 405"
