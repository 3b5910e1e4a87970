"""The to-do app's API (notebooks/todo), on SQLite and on a real PostgreSQL server.

Each test gets an empty database of its own (a temporary SQLite file, or a new PostgreSQL
database on the session's throwaway server) and the app served in-process on a free port,
except the restart tests, which run ``python -m todo`` through ``labsupport.serve_todo``.
Every response is checked by ``todo_helpers.check_response``: never a 5xx, always JSON.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys

import httpx
import pytest
import tornado.web

import labsupport
from labsupport.servers.todo import TODO_FOLDER, sqlite_url

from .conftest import run
from .postgres import new_database, postgres_url  # noqa: F401  (importing registers the fixture)
from .todo_helpers import PASSWORD, Client, Todo, check_response, serving, tasks_url

BACKENDS = ["sqlite", "postgresql"]
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
HUGE_ID = "9" * 18  # the longest id the route accepts: beyond a 32-bit integer


REAL_COST = {"test_passwords_are_hashed_at_owasp_minimum_cost", "test_a_login_for_an_unknown_name_costs_a_hash_too"}


@pytest.fixture(autouse=True)
def cheap_hashes(request: pytest.FixtureRequest, monkeypatch) -> None:
    """Hash at p=1, a fifth of the app's cost: these tests count answers, not the cost, which one test pins."""
    if request.node.name not in REAL_COST:
        from todo import passwords
        monkeypatch.setattr(passwords, "P", 1)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """The URL of an empty database of this test's own, on each backend."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path / "todo.db")
    return new_database(request.getfixturevalue("postgres_url"))


def in_app(database_url: str, scenario, *, timeout: float = 30.0) -> None:
    """Serve the app on ``database_url`` and run ``await scenario(todo)`` against it."""
    async def go() -> None:
        async with serving(database_url) as todo:
            await scenario(todo)

    run(go(), timeout)


async def logged_in(todo: Todo, username: str) -> Client:
    client = todo.client()
    await client.register(username)
    return client


def error_of(response: httpx.Response) -> dict:
    return response.json()["error"]


# ---------------------------------------------------------------- routes, 404, 405

ROUTES = {
    "/": ["GET"],
    "/health": ["GET"],
    "/api/v1/accounts": ["POST"],
    "/api/v1/accounts/login": ["POST"],
    "/api/v1/accounts/logout": ["POST"],
    "/api/v1/accounts/<username>": ["GET", "PUT", "DELETE"],
    "/api/v1/accounts/<username>/tasks": ["GET", "POST"],
    "/api/v1/accounts/<username>/tasks/<task_id>": ["GET", "PUT", "DELETE"],
    "/web/": ["GET", "POST"],  # lesson 11's pages: HTML, forms with an _xsrf token
    "/web/login": ["POST"],
    "/web/logout": ["POST"],
    "/web/language": ["POST"],
    "/web/tasks/<task_id>": ["POST"],
    "/static/<path>": ["GET"],
}
PAGES = ("/web/", "/static/")  # their errors are HTML pages, not the API's JSON


def test_info_lists_every_route_and_its_methods(database_url: str) -> None:
    async def scenario(todo: Todo) -> None:
        body = (await todo.client().get("/", expect=200)).json()
        assert body == {"name": "to-do API", "version": 1, "routes": ROUTES}

    in_app(database_url, scenario)


def test_wrong_methods_are_405_with_allow(database_url: str) -> None:
    async def scenario(todo: Todo) -> None:
        ada = await logged_in(todo, "ada")
        task = await ada.add_task()
        concrete = {"/": "/", "/api/v1/accounts/<username>": "/api/v1/accounts/ada",
                    "/api/v1/accounts/<username>/tasks": tasks_url("ada"),
                    "/api/v1/accounts/<username>/tasks/<task_id>": tasks_url("ada", task["id"])}
        tried = 0
        for pattern, allowed in ROUTES.items():
            if pattern.startswith(PAGES):
                continue  # test_pages_answer_a_wrong_method_with_an_html_405
            path = concrete.get(pattern, pattern)
            for method in ("GET", "POST", "PUT", "DELETE", "PATCH", "FOO"):
                if method in allowed:
                    continue
                response = await ada.request(method, path, json={"name": "x"}, expect=405)
                assert response.headers["Allow"] == ", ".join(allowed), (method, path)
                assert method in error_of(response)["message"]
                tried += 1
        assert tried == 35
        assert await todo.counts() == (1, 1)
        assert await ada.tasks() == [task]  # a 405 PUT/POST changed nothing

    in_app(database_url, scenario)


def test_pages_answer_a_wrong_method_with_an_html_405(database_url: str) -> None:
    async def scenario(todo: Todo) -> None:
        ada = await logged_in(todo, "ada")
        task = await ada.add_task()
        concrete = {"/web/tasks/<task_id>": f"/web/tasks/{task['id']}", "/static/<path>": "/static/style.css"}
        tried = 0
        for pattern, allowed in ROUTES.items():
            if not pattern.startswith(PAGES):
                continue
            path = concrete.get(pattern, pattern)
            for method in ("GET", "POST", "PUT", "DELETE", "PATCH", "FOO"):
                if method in allowed or method == "POST":  # a POST without its _xsrf token is a 403 first
                    continue
                response = await ada.http.request(method, path, data={"name": "x"})
                assert response.status_code == 405, (method, path, response.text[:300])
                assert response.headers["Allow"] == ", ".join(allowed), (method, path)
                assert response.headers["Content-Type"].startswith("text/html"), (method, path)
                assert "Traceback" not in response.text
                tried += 1
        assert tried == 28
        assert await ada.tasks() == [task]

    in_app(database_url, scenario)


def test_the_page_knows_its_visitor_only_through_owner(database_url: str) -> None:
    """/web/ asks AccountView.owner() about the name its login stored: the todo_name cookie alone opens nothing."""
    def count(page: httpx.Response) -> str | None:
        found = re.search(r'id="task-count">([^<]*)<', page.text)
        return found and found.group(1)

    async def scenario(todo: Todo) -> None:
        ada, bob = await logged_in(todo, "ada"), await logged_in(todo, "bob")
        await ada.add_task("ada's secret")
        page = await ada.http.get("/web/")  # logged in through the API only: the page does not know whom to ask
        assert (page.status_code, count(page)) == (200, None) and "Log in" in page.text
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page.text).group(1)
        login = await ada.http.post("/web/login", data={"_xsrf": xsrf, "username": "ada", "password": PASSWORD})
        assert login.status_code == 303 and ada.http.cookies.get("todo_name") == "ada"
        assert count(await ada.http.get("/web/")) == "1 task"
        for cookies in ({"todo_name": "ada"}, {"todo_name": "ada", "todo_user": bob.cookie}):  # no login; bob's
            stranger = httpx.AsyncClient(base_url=todo.url, cookies=cookies)
            page = await stranger.get("/web/")
            assert (page.status_code, count(page)) == (200, None) and "ada's secret" not in page.text
            token = re.search(r'name="_xsrf" value="([^"]+)"', page.text).group(1)
            refused = await stranger.post("/web/", data={"_xsrf": token, "name": "planted"})
            assert refused.status_code == 401, refused.text[:300]
            await stranger.aclose()
        assert [task["name"] for task in await ada.tasks()] == ["ada's secret"]

    in_app(database_url, scenario)


def test_a_done_form_without_or_with_a_bad_completed_is_400_and_changes_nothing(database_url: str) -> None:
    """The "Done" button's form, sent without its field or with nonsense: a 400 page, never a 500."""
    async def scenario(todo: Todo) -> None:
        ada = await logged_in(todo, "ada")
        task = await ada.add_task("milk")
        page = await ada.http.get("/web/")
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page.text).group(1)
        await ada.http.post("/web/login", data={"_xsrf": xsrf, "username": "ada", "password": PASSWORD})
        for form in ({"_xsrf": xsrf}, {"_xsrf": xsrf, "completed": "maybe"}):
            answer = await ada.http.post(f"/web/tasks/{task['id']}", data=form)
            assert answer.status_code == 400 and "text/html" in answer.headers["Content-Type"], (form, answer.text[:300])
        assert [t["completed"] for t in await ada.tasks()] == [False]

    in_app(database_url, scenario)


def test_unknown_paths_are_404_json(database_url: str) -> None:
    async def scenario(todo: Todo) -> None:
        ada = await logged_in(todo, "ada")
        paths = ["/nothing", "/api/v2/accounts", "/api/v1/accounts/", "/api/v1/accounts/ada/", "/api/v1/accounts/a b",
                 "/api/v1/accounts/" + "a" * 41, "/api/v1/accounts/ada/tasks/", "/api/v1/accounts/ada/tasks/x",
                 "/api/v1/accounts/ada/tasks/-1", "/api/v1/accounts/ada/tasks/" + "9" * 19,
                 "/api/v1/accounts/ada/tasks/1/more", "/index.html"]
        for path in paths:
            for method in ("GET", "POST", "PUT", "DELETE", "PATCH"):
                response = await ada.request(method, path, json={"name": "x"}, expect=404)
                assert "GET / lists the routes" in error_of(response)["message"]
        assert await todo.counts() == (1, 0)

    in_app(database_url, scenario)


# ---------------------------------------------------------------- accounts

def test_register_then_log_in_and_read_the_profile(database_url: str) -> None:
    async def scenario(todo: Todo) -> None:
        ada = todo.client()
        body = {"username": "ada", "email": "ada@example.org", "password": PASSWORD}
        profile = (await ada.post("/api/v1/accounts", json=body, expect=201)).json()
        assert set(profile) == {"username", "email", "created"}  # never the password or its hash
        assert profile["username"] == "ada" and profile["email"] == "ada@example.org"
        assert TIMESTAMP.fullmatch(profile["created"])
        assert ada.cookie is None  # registering does not log in
        await ada.get("/api/v1/accounts/ada", expect=401)
        login = await ada.login("ada")
        assert login.json() == profile
        assert "httponly" in login.headers["set-cookie"].lower()
        assert ada.cookie
        assert (await ada.get("/api/v1/accounts/ada", expect=200)).json() == profile
        assert await todo.counts() == (1, 0)

    in_app(database_url, scenario)


def test_register_strips_text_and_accepts_a_form(database_url: str) -> None:
    async def scenario(todo: Todo) -> None:
        client = todo.client()
        form = {"username": " grace_h.1-x ", "email": "grace@example.org", "password": PASSWORD}
        profile = (await client.post("/api/v1/accounts", data=form, expect=201)).json()
        assert profile["username"] == "grace_h.1-x"
        response = await client.post("/api/v1/accounts/login", data={"username": "grace_h.1-x", "password": PASSWORD},
                                     expect=200)
        assert response.json()["username"] == "grace_h.1-x"
        await client.get("/api/v1/accounts/grace_h.1-x", expect=200)

    in_app(database_url, scenario)


def test_duplicate_username_is_409_and_stores_nothing(database_url: str) -> None:
    async def scenario(todo: Todo) -> None:
        client = todo.client()
        await client.register("ada", login=False)
        body = {"username": "ada", "email": "other@example.org", "password": "another password"}
        response = await client.post("/api/v1/accounts", json=body, expect=409)
        assert "taken" in error_of(response)["message"]
        assert await todo.counts() == (1, 0)
        await client.login("ada")  # the first account's password still works
        assert (await client.get("/api/v1/accounts/ada", expect=200)).json()["email"] == "ada@example.org"

    in_app(database_url, scenario)


def test_concurrent_registrations_of_one_name_store_one_account(database_url: str) -> None:
    async def scenario(todo: Todo) -> None:
        client = todo.client()
        body = {"username": "ada", "email": "ada@example.org", "password": PASSWORD}
        responses = await asyncio.gather(*(client.post("/api/v1/accounts", json=body) for _ in range(6)))
        assert sorted(r.status_code for r in responses) == [201] + [409] * 5
        assert await todo.counts() == (1, 0)

    in_app(database_url, scenario)


def test_a_name_registered_since_the_check_gets_409_from_the_unique_constraint(database_url: str, monkeypatch) -> None:
    """RegisterView's IntegrityError branch: on SQLite's one connection the check alone refuses the second
    registration, so pretend the check found nothing, as it can on PostgreSQL when two requests race."""
    from todo.auth import AccountView

    async def found_nothing(self, username):
        return None

    async def scenario(todo: Todo) -> None:
        await todo.client().register("ada", login=False)
        monkeypatch.setattr(AccountView, "find_profile", found_nothing)
        body = {"username": "ada", "email": "other@example.org", "password": PASSWORD}
        response = await todo.client().post("/api/v1/accounts", json=body, expect=409)
        assert "taken" in error_of(response)["message"]
        assert await todo.counts() == (1, 0)

    in_app(database_url, scenario)


GOOD = {"username": "ada", "email": "ada@example.org", "password": PASSWORD}
BAD_REGISTRATIONS = [  # (changes to a good body, {field: part of its message})
    ({"username": None, "email": None, "password": None},
     {"username": "required", "email": "required", "password": "required"}),
    ({"username": 42}, {"username": "must be a string"}),
    ({"email": ["ada@example.org"]}, {"email": "must be a string"}),
    ({"password": 12345678}, {"password": "must be a string"}),
    ({"username": "a" * 41}, {"username": "0 to 40 characters, not 41"}),
    ({"username": ""}, {"username": "must look like"}),
    ({"username": "ada lovelace"}, {"username": "must look like"}),
    ({"username": "ada/../bob"}, {"username": "must look like"}),
    ({"username": "adä"}, {"username": "must look like"}),
    ({"username": "a\x00b"}, {"username": "NUL"}),
    ({"email": "ada.example.org"}, {"email": "must look like"}),
    ({"email": "ada@ex@ample.org"}, {"email": "must look like"}),
    ({"email": "x" * 250 + "@b.org"}, {"email": "to 254 characters"}),
    ({"password": "short"}, {"password": "8 to 200 characters, not 5"}),
    ({"password": "        "}, {"password": "not spaces"}),
    ({"password": "p" * 201}, {"password": "8 to 200 characters"}),
    ({"admin": True}, {"admin": "unknown field"}),
    ({"username": "login"}, {"username": "'login' is reserved"}),  # /accounts/login is the login route
    ({"username": "logout"}, {"username": "'logout' is reserved"}),
    ({"username": " login "}, {"username": "'login' is reserved"}),  # stripped first
    ({"username": "."}, {"username": "'.' is reserved"}),  # clients send /accounts/./tasks as /accounts/tasks
    ({"username": ".."}, {"username": "'..' is reserved"}),
    ({"username": "login", "email": "bad"},  # a reserved name is one more field problem, reported with the others
     {"username": "'login' is reserved", "email": "must look like"}),
    ({"username": "a b", "email": "nope", "password": "x", "id": 1},
     {"username": "must look like", "email": "must look like", "password": "8 to 200", "id": "unknown field"}),
]


def test_bad_registrations_are_400_per_field(database_url: str) -> None:
    async def scenario(todo: Todo) -> None:
        client = todo.client()
        for changes, expected in BAD_REGISTRATIONS:
            body = {k: v for k, v in {**GOOD, **changes}.items() if v is not None}
            response = await client.post("/api/v1/accounts", json=body, expect=400)
            fields = error_of(response)["fields"]
            assert set(fields) == set(expected), (changes, fields)
            for name, part in expected.items():
                assert part in fields[name], (changes, name, fields[name])
        # a lone surrogate cannot be typed into json=; send the JSON text ourselves
        raw = json.dumps({**GOOD, "email": "ada\ud800@example.org"}).encode()
        response = await client.post("/api/v1/accounts", content=raw, headers={"Content-Type": "application/json"},
                                     expect=400)
        assert set(error_of(response)["fields"]) == {"email"}
        assert await todo.counts() == (0, 0)

    in_app(database_url, scenario)


def test_names_next_to_the_reserved_ones_register_and_reach_their_data(database_url: str) -> None:
    """Routes match case-sensitively, and only "." and ".." are rewritten: these names own their URLs."""
    async def scenario(todo: Todo) -> None:
        for username in ("Login", "logins", "tasks", "...", ".ada"):
            client = await logged_in(todo, username)
            await client.get(f"/api/v1/accounts/{username}", expect=200)
            await client.add_task("mine")
            assert [task["name"] for task in await client.tasks()] == ["mine"], username
        assert await todo.counts() == (5, 5)

    in_app(database_url, scenario)


def test_a_login_for_an_unknown_name_costs_a_hash_too(tmp_path, monkeypatch) -> None:
    """The same work for an unknown name as for a wrong password: the timing does not tell which names exist."""
    from todo import passwords
    hashed = []
    real = passwords._scrypt
    monkeypatch.setattr(passwords, "_scrypt", lambda *args: hashed.append(args[2:]) or real(*args))

    async def scenario(todo: Todo) -> None:
        await todo.client().register("ada", login=False)
        hashed.clear()
        client = todo.client()
        for username in ("ada", "bob"):
            await client.post("/api/v1/accounts/login", json={"username": username, "password": "not it"},
                              expect=401)
        assert hashed == [(passwords.N, passwords.R, passwords.P)] * 2

    in_app(sqlite_url(tmp_path / "todo.db"), scenario)


def test_passwords_are_hashed_at_owasp_minimum_cost() -> None:
    """N=2**14, r=8, p=5 is the OWASP cheat sheet's form of its scrypt minimum that needs 16 MiB."""
    from todo import passwords
    stored = run(passwords.hash_password("correct horse"))
    algorithm, n, r, p, salt, digest = stored.split("$")
    assert (algorithm, int(n), int(r), int(p)) == ("scrypt", 2**14, 8, 5)
    assert run(passwords.check_password("correct horse", stored))
    assert not run(passwords.check_password("correct horse", passwords.NO_ACCOUNT))


@pytest.mark.parametrize("host", ["evil.example", "localhost.evil.example", "127.0.0.1.evil.example",
                                  "127.0.0.2", "xlocalhost"])
def test_requests_for_other_host_names_are_refused(tmp_path, host: str) -> None:
    """DNS rebinding: a page of evil.example whose name now points at 127.0.0.1 still says Host: evil.example."""
    async def scenario(todo: Todo) -> None:
        client = todo.client()
        for path in ("/", "/api/v1/accounts/ada/tasks"):
            for method in ("GET", "POST"):
                response = await client.request(method, path, headers={"Host": f"{host}:{80}"}, json={}, expect=400)
                assert f"the host {host!r}" in error_of(response)["message"]
        assert await todo.counts() == (0, 0)

    in_app(sqlite_url(tmp_path / "todo.db"), scenario)


def test_requests_for_this_machine_are_served_and_hosts_is_an_option(tmp_path) -> None:
    async def scenario(todo: Todo) -> None:
        client = todo.client()
        for host in ("localhost", "localhost:8888", "127.0.0.1", "[::1]:8888"):
            await client.get("/", headers={"Host": host}, expect=200)
        await client.get("/", headers={"Host": "todo.example"}, expect=400)

    in_app(sqlite_url(tmp_path / "todo.db"), scenario)

    async def wider(todo: Todo) -> None:
        await todo.client().get("/", headers={"Host": "todo.example"}, expect=200)

    async def go() -> None:
        async with serving(sqlite_url(tmp_path / "other.db"), hosts=r"todo\.example") as todo:
            await wider(todo)

    run(go(), 30)


OTHER_PAGE = "http://127.0.0.1:9"  # a page on another port of this machine
FROM_OTHER_PAGES = [  # what browsers send with a page's request to the app, or a forger might
    {"Origin": OTHER_PAGE, "Sec-Fetch-Site": "same-site"},  # Chromium, from another port of 127.0.0.1
    {"Origin": OTHER_PAGE, "Sec-Fetch-Site": "cross-site"},
    {"Origin": OTHER_PAGE},  # no Sec-Fetch-Site (plain HTTP to a name not local): the port differs from Host
    {"Origin": "http://localhost:{port}"},  # the same port under another name is another origin
    {"Sec-Fetch-Site": "same-site"},  # no Origin at all
    {"Origin": "null", "Sec-Fetch-Site": "cross-site"},  # a sandboxed frame or a data: URL
]


def cross_origin_writes(task_id: int) -> list[tuple[str, str, dict]]:
    """Every write of the API, as (method, path, body), for a page of another origin to try."""
    return [("POST", tasks_url("ada"), {"name": "planted"}), ("PUT", tasks_url("ada", task_id), {"completed": "true"}),
            ("DELETE", tasks_url("ada", task_id), {}),
            ("PUT", "/api/v1/accounts/ada", {"email": "evil@example.org", "current_password": PASSWORD}),
            ("DELETE", "/api/v1/accounts/ada", {"current_password": PASSWORD}), ("POST", "/api/v1/accounts/logout", {}),
            ("POST", "/api/v1/accounts/login", {"username": "mallory", "password": PASSWORD}),
            ("POST", "/api/v1/accounts", {"username": "eve", "email": "eve@example.org", "password": PASSWORD})]


def test_writes_from_pages_of_other_origins_are_403_and_change_nothing(tmp_path) -> None:
    """The login cookie is SameSite=Strict, but another port is the same site: Tornado's cross_origin_protection."""
    async def scenario(todo: Todo) -> None:
        ada = await logged_in(todo, "ada")
        task = await ada.add_task("mine")
        port = todo.url.rsplit(":", 1)[1]
        for headers in FROM_OTHER_PAGES:
            headers = {name: value.format(port=port) for name, value in headers.items()}
            for method, path, form in cross_origin_writes(task["id"]):
                response = await ada.request(method, path, data=form, headers=headers, expect=403)
                assert "not allowed" in error_of(response)["message"], (headers, method, path)
            reading = await ada.get(tasks_url("ada"), headers=headers, expect=200)  # reads are not checked:
            assert reading.json()["tasks"] == [task]  # the browser keeps the answer from the other page
        assert await todo.counts() == (1, 1)
        assert (await ada.get("/api/v1/accounts/ada", expect=200)).json()["email"] == "ada@example.org"

    in_app(sqlite_url(tmp_path / "todo.db"), scenario)


def test_writes_from_the_apps_own_pages_and_from_other_clients_pass(tmp_path) -> None:
    async def scenario(todo: Todo) -> None:
        ada = await logged_in(todo, "ada")  # httpx sends neither Origin nor Sec-Fetch-Site
        own = [{"Origin": todo.url, "Sec-Fetch-Site": "same-origin"}, {"Origin": todo.url},
               {"Sec-Fetch-Site": "same-origin"}, {"Sec-Fetch-Site": "none"}, {}]  # none: typed into the address bar
        for number, headers in enumerate(own):
            await ada.post(tasks_url("ada"), data={"name": f"task {number}"}, headers=headers, expect=201)
        assert await todo.counts() == (1, len(own))

    in_app(sqlite_url(tmp_path / "todo.db"), scenario)


def test_trusted_origins_let_a_named_page_write(tmp_path) -> None:
    async def go() -> None:
        async with serving(sqlite_url(tmp_path / "todo.db"), trusted_origins=[OTHER_PAGE]) as todo:
            ada = await logged_in(todo, "ada")
            headers = {"Origin": OTHER_PAGE, "Sec-Fetch-Site": "same-site"}
            await ada.post(tasks_url("ada"), json={"name": "from a page we trust"}, headers=headers, expect=201)
            await ada.post(tasks_url("ada"), json={"name": "x"}, headers={**headers, "Origin": OTHER_PAGE + "0"},
                           expect=403)
            assert await todo.counts() == (1, 1)

    run(go(), 30)


def test_login_failures_are_401_and_set_no_cookie(database_url: str) -> None:
    async def scenario(todo: Todo) -> None:
        await todo.client().register("ada", login=False)
        client = todo.client()
        wrong = await client.post("/api/v1/accounts/login", json={"username": "ada", "password": "wrong password"},
                                  expect=401)
        unknown = await client.post("/api/v1/accounts/login", json={"username": "bob", "password": PASSWORD},
                                    expect=401)
        assert error_of(wrong) == error_of(unknown)  # the answer does not tell which usernames exist
        assert "set-cookie" not in wrong.headers and "set-cookie" not in unknown.headers
        response = await client.post("/api/v1/accounts/login", json={"username": "ada"}, expect=400)
        assert error_of(response)["fields"] == {"password": "required"}
        response = await client.post("/api/v1/accounts/login", json={"username": "ada", "password": PASSWORD,
                                                                      "remember": True}, expect=400)
        assert set(error_of(response)["fields"]) == {"remember"}
        assert client.cookie is None
        await client.get("/api/v1/accounts/ada", expect=401)

    in_app(database_url, scenario)


def test_logout_ends_the_login(database_url: str) -> None:
    async def scenario(todo: Todo) -> None:
        ada = await logged_in(todo, "ada")
        await ada.get("/api/v1/accounts/ada", expect=200)
        response = await ada.post("/api/v1/accounts/logout", expect=200)
        assert "todo_user=" in response.headers["set-cookie"]
        assert ada.cookie is None
        await ada.get("/api/v1/accounts/ada", expect=401)
        await ada.get(tasks_url("ada"), expect=401)
        await todo.client().post("/api/v1/accounts/logout", expect=200)  # also when nobody is logged in

    in_app(database_url, scenario)


def test_change_email_and_password(database_url: str) -> None:
    async def scenario(todo: Todo) -> None:
        ada = await logged_in(todo, "ada")
        before = (await ada.get("/api/v1/accounts/ada", expect=200)).json()
        changed = (await ada.put("/api/v1/accounts/ada", json={"email": "lovelace@example.org", "current_password": PASSWORD},
                                 expect=200)).json()
        assert changed == {**before, "email": "lovelace@example.org"}
        assert "set-cookie" not in (await ada.put("/api/v1/accounts/ada", json={"email": "lovelace@example.org",
                                                                               "current_password": PASSWORD})).headers
        response = await ada.put("/api/v1/accounts/ada", json={"password": "a new password", "current_password": PASSWORD},
                                 expect=200)
        assert "todo_user=" in response.headers["set-cookie"]  # a new cookie: the stamp in the old one is outdated
        await ada.get("/api/v1/accounts/ada", expect=200)
        other = todo.client()
        await other.post("/api/v1/accounts/login", json={"username": "ada", "password": PASSWORD}, expect=401)
        await other.login("ada", password="a new password")
        now = {"current_password": "a new password"}
        for body, bad in [(now, {"email", "password"}), ({**now, "email": "nope"}, {"email"}),
                          ({**now, "password": "short"}, {"password"}), ({**now, "username": "eve"}, {"username"}),
                          ({**now, "email": "eve@example.org", "username": "eve"}, {"username"})]:
            response = await ada.put("/api/v1/accounts/ada", json=body, expect=400)
            assert set(error_of(response)["fields"]) == bad, body
        assert (await ada.get("/api/v1/accounts/ada", expect=200)).json() == changed
        await other.login("ada", password="a new password")

    in_app(database_url, scenario)


def test_put_and_delete_of_a_profile_need_its_current_password(database_url: str) -> None:
    """A stolen cookie alone cannot change the password or delete the account."""
    async def scenario(todo: Todo) -> None:
        ada = await logged_in(todo, "ada")
        await ada.add_task("mine")
        profile = (await ada.get("/api/v1/accounts/ada", expect=200)).json()
        changes = [{"password": "the thief's password"}, {"email": "thief@example.org"}]
        for method, body in [*(("PUT", change) for change in changes), ("DELETE", {})]:
            for given, status, message in [(None, 400, "required"), ("", 400, "required"), (42, 400, "required"),
                                           ("wrong password", 401, "not this account's password"),
                                           (PASSWORD + " ", 401, "not this account's password")]:
                sent = body if given is None else {**body, "current_password": given}
                response = await ada.request(method, "/api/v1/accounts/ada", json=sent, expect=status)
                assert message in error_of(response)["fields"]["current_password"], (method, sent)
                assert "set-cookie" not in response.headers, (method, sent)
        assert (await ada.get("/api/v1/accounts/ada", expect=200)).json() == profile
        assert await todo.counts() == (1, 1)
        await todo.client().login("ada")  # the password is still the old one
        await ada.request("DELETE", "/api/v1/accounts/ada", json={"current_password": PASSWORD}, expect=204)
        assert await todo.counts() == (0, 0)

    in_app(database_url, scenario)


def test_a_password_change_ends_every_other_copy_of_the_cookie(database_url: str) -> None:
    """The cookie holds a stamp of the password hash: a change makes every older cookie 401."""
    async def scenario(todo: Todo) -> None:
        ada = await logged_in(todo, "ada")
        await ada.add_task("mine")
        laptop = todo.client()
        await laptop.login("ada")  # a second login: another cookie, with the same stamp
        stolen = todo.client(cookies={"todo_user": ada.cookie})
        await stolen.get(tasks_url("ada"), expect=200)
        await ada.put("/api/v1/accounts/ada", json={"password": "a new password", "current_password": PASSWORD},
                      expect=200)
        assert len(await ada.tasks()) == 1  # the client that changed it got a new cookie
        for old in (stolen, laptop):
            await old.get("/api/v1/accounts/ada", expect=401)
            await old.get(tasks_url("ada"), expect=401)
            await old.post(tasks_url("ada"), json={"name": "sneaky"}, expect=401)
            await old.request("DELETE", "/api/v1/accounts/ada", json={"current_password": "a new password"},
                              expect=401)
        assert await todo.counts() == (1, 1)
        await laptop.login("ada", password="a new password")
        assert len(await laptop.tasks()) == 1

    in_app(database_url, scenario)


def test_an_old_cookie_opens_no_account_of_a_new_database(tmp_path) -> None:
    """Ids start again at 1 in a new database; the stamp tells the new account from the old one."""
    async def go() -> None:
        async with serving(sqlite_url(tmp_path / "first.db")) as first:
            ada = await logged_in(first, "ada")  # id 1
            old_cookie = ada.cookie
        async with serving(sqlite_url(tmp_path / "second.db")) as second:  # the same cookie_secret
            eve = await logged_in(second, "eve")  # id 1 again
            await eve.add_task("eve's")
            stale = second.client(cookies={"todo_user": old_cookie})
            await stale.get("/api/v1/accounts/eve", expect=401)
            await stale.get(tasks_url("eve"), expect=401)
            assert await eve.tasks() != []

    run(go(), 30)


def test_profiles_of_others_are_403_and_anonymous_401(database_url: str) -> None:
    async def scenario(todo: Todo) -> None:
        ada = await logged_in(todo, "ada")
        await todo.client().register("bob", login=False)
        nobody = todo.client()
        for username in ("bob", "nobody"):
            await ada.get(f"/api/v1/accounts/{username}", expect=403)
            await ada.put(f"/api/v1/accounts/{username}", json={"email": "eve@example.org"}, expect=403)
            await ada.delete(f"/api/v1/accounts/{username}", expect=403)
        for username in ("ada", "bob", "nobody"):
            await nobody.get(f"/api/v1/accounts/{username}", expect=401)
            await nobody.put(f"/api/v1/accounts/{username}", json={"email": "eve@example.org"}, expect=401)
            await nobody.delete(f"/api/v1/accounts/{username}", expect=401)
        assert await todo.counts() == (2, 0)
        bob = todo.client()
        await bob.login("bob")
        assert (await bob.get("/api/v1/accounts/bob", expect=200)).json()["email"] == "bob@example.org"

    in_app(database_url, scenario)


def test_deleting_an_account_deletes_its_tasks_and_its_login(database_url: str) -> None:
    async def scenario(todo: Todo) -> None:
        bob = await logged_in(todo, "bob")
        bobs_task = await bob.add_task("bob's")
        ada = await logged_in(todo, "ada")  # the newest account: its id is the highest
        for n in range(3):
            await ada.add_task(f"task {n}")
        old_cookie = ada.cookie
        assert await todo.counts() == (2, 4)
        await ada.delete("/api/v1/accounts/ada", json={"current_password": PASSWORD}, expect=204)
        assert ada.cookie is None  # the answer cleared the login cookie
        assert await todo.counts() == (1, 1)
        assert [row[1] for row in await todo.task_rows()] == ["bob's"]
        stale = todo.client(cookies={"todo_user": old_cookie})
        await stale.get("/api/v1/accounts/ada", expect=401)
        await stale.get(tasks_url("ada"), expect=401)
        # A new account must not get the deleted one's id, or the old cookie would log into it.
        await todo.client().register("ada", login=False)
        await todo.client().register("eve", login=False)
        for username in ("ada", "eve", "bob"):
            await stale.get(f"/api/v1/accounts/{username}", expect=401)
            await stale.get(tasks_url(username), expect=401)
            await stale.post(tasks_url(username), json={"name": "sneaky"}, expect=401)
        assert await todo.counts() == (3, 1)
        assert await bob.tasks() == [bobs_task]

    in_app(database_url, scenario)


def test_tampered_or_foreign_cookies_are_401(database_url: str) -> None:
    async def scenario(todo: Todo) -> None:
        ada = await logged_in(todo, "ada")
        await ada.add_task()
        cookie = ada.cookie
        forged = [
            cookie[:-1] + ("0" if cookie[-1] != "0" else "1"),  # signature changed
            cookie.replace("|", "|x", 1),
            tornado.web.create_signed_value("another secret", "todo_user", "1").decode(),
            tornado.web.create_signed_value("test", "other_cookie", "1").decode(),  # right secret, wrong name
            tornado.web.create_signed_value("test", "todo_user", "1").decode(),  # right secret and id, no stamp
            tornado.web.create_signed_value("test", "todo_user", "1:").decode(),
            tornado.web.create_signed_value("test", "todo_user", "x:y").decode(),
            "1", "",
        ]
        for value in forged:
            client = todo.client(cookies={"todo_user": value})
            await client.get("/api/v1/accounts/ada", expect=401)
            await client.get(tasks_url("ada"), expect=401)
            await client.post(tasks_url("ada"), json={"name": "forged"}, expect=401)
        assert await todo.counts() == (1, 1)

    in_app(database_url, scenario)


# ---------------------------------------------------------------- tasks

def test_task_create_read_update_delete(database_url: str) -> None:
    async def scenario(todo: Todo) -> None:
        ada = await logged_in(todo, "ada")
        assert await ada.tasks() == []
        response = await ada.post(tasks_url("ada"), json={"name": "buy milk"}, expect=201)
        task = response.json()
        assert response.headers["Location"] == tasks_url("ada", task["id"])
        assert isinstance(task["id"], int) and TIMESTAMP.fullmatch(task["created"])
        assert {k: v for k, v in task.items() if k not in ("id", "created")} == \
            {"name": "buy milk", "note": "", "due_date": None, "completed": False}
        assert (await ada.get(response.headers["Location"], expect=200)).json() == task
        listing = (await ada.get(tasks_url("ada"), expect=200)).json()
        assert listing == {"username": "ada", "tasks": [task]}

        url = tasks_url("ada", task["id"])
        task = {**task, "completed": True}
        assert (await ada.put(url, json={"completed": True}, expect=200)).json() == task
        task = {**task, "note": "semi-skimmed", "due_date": "2026-12-31"}
        assert (await ada.put(url, json={"note": "semi-skimmed", "due_date": "2026-12-31"}, expect=200)).json() == task
        task = {**task, "due_date": None, "name": "buy oat milk"}
        assert (await ada.put(url, json={"due_date": None, "name": " buy oat milk "}, expect=200)).json() == task
        assert (await ada.get(url, expect=200)).json() == task
        assert await ada.tasks() == [task]

        await ada.delete(url, expect=204)
        await ada.get(url, expect=404)
        await ada.put(url, json={"completed": False}, expect=404)
        await ada.delete(url, expect=404)
        assert await ada.tasks() == []
        assert await todo.counts() == (1, 0)

    in_app(database_url, scenario)


def test_task_with_every_field_and_unicode(database_url: str) -> None:
    async def scenario(todo: Todo) -> None:
        ada = await logged_in(todo, "ada")
        full = {"name": "é" * 100, "note": "日本語 ✓\n" * 100, "due_date": "2027-02-28", "completed": True}
        task = await ada.add_task(**full)
        assert {k: task[k] for k in full} == {**full, "note": full["note"].strip()}
        second = await ada.add_task("Café ✓", due_date="")
        assert second["due_date"] is None and second["id"] > task["id"]
        assert [t["id"] for t in await ada.tasks()] == [task["id"], second["id"]]

    in_app(database_url, scenario)


BAD_TASKS = [  # (body, {field: part of its message})
    ({}, {"name": "required"}),
    ({"note": "no name"}, {"name": "required"}),
    ({"name": ""}, {"name": "1 to 100 characters, not 0"}),
    ({"name": "   "}, {"name": "1 to 100 characters, not 0"}),
    ({"name": "x" * 101}, {"name": "1 to 100 characters, not 101"}),
    ({"name": 7}, {"name": "must be a string, not int"}),
    ({"name": None}, {"name": "must be a string"}),
    ({"name": {"text": "x"}}, {"name": "must be a string, not dict"}),
    ({"name": "nul\x00byte"}, {"name": "NUL"}),
    ({"name": "x", "note": "n" * 1001}, {"note": "0 to 1000 characters"}),
    ({"name": "x", "due_date": "31/12/2026"}, {"due_date": "must be a date"}),
    ({"name": "x", "due_date": "2026-02-30"}, {"due_date": "must be a date"}),
    ({"name": "x", "due_date": 20261231}, {"due_date": "must be a date"}),
    ({"name": "x", "completed": "yes"}, {"completed": "true or false"}),
    ({"name": "x", "completed": 1}, {"completed": "true or false"}),
    ({"name": "x", "completed": None}, {"completed": "true or false"}),
    ({"name": "x", "owner_id": 2}, {"owner_id": "unknown field"}),
    ({"name": "x", "id": 1}, {"id": "unknown field"}),
    ({"name": "", "due_date": "soon", "completed": "no", "extra": 1},
     {"name": "1 to 100", "due_date": "must be a date", "completed": "true or false", "extra": "unknown field"}),
]


def test_bad_tasks_are_400_per_field_and_store_nothing(database_url: str) -> None:
    async def scenario(todo: Todo) -> None:
        ada = await logged_in(todo, "ada")
        for body, expected in BAD_TASKS:
            response = await ada.post(tasks_url("ada"), json=body, expect=400)
            fields = error_of(response)["fields"]
            assert set(fields) == set(expected), (body, fields)
            for name, part in expected.items():
                assert part in fields[name], (body, name, fields[name])
        assert await todo.counts() == (1, 0)
        assert await ada.tasks() == []

    in_app(database_url, scenario)


def test_bad_task_changes_are_400_and_change_nothing(database_url: str) -> None:
    async def scenario(todo: Todo) -> None:
        ada = await logged_in(todo, "ada")
        task = await ada.add_task("keep me", due_date="2026-06-01")
        url = tasks_url("ada", task["id"])
        changes = [({}, {"name", "note", "due_date", "completed"}), ({"due_date": "tomorrow"}, {"due_date"}),
                   ({"completed": "maybe"}, {"completed"}), ({"completed": 0}, {"completed"}),
                   ({"name": ""}, {"name"}), ({"name": "x" * 101}, {"name"}), ({"id": 99}, {"id"}),
                   ({"completed": True, "due_date": "2026-13-01"}, {"due_date"}),  # one bad field: nothing changes
                   ({"name": "new name", "owner_id": 2}, {"owner_id"})]
        for body, bad in changes:
            response = await ada.put(url, json=body, expect=400)
            assert set(error_of(response)["fields"]) == bad, body
        assert (await ada.get(url, expect=200)).json() == task
        assert await todo.counts() == (1, 1)

    in_app(database_url, scenario)


@pytest.mark.parametrize("ids", ["small", "beyond 32 bits"])
def test_unknown_task_ids_are_404(database_url: str, ids: str) -> None:
    async def scenario(todo: Todo) -> None:
        ada = await logged_in(todo, "ada")
        task = await ada.add_task()
        unknown = {"small": ("0", "00", str(task["id"] + 1), "999", str(2**31 - 1)),
                   # BIGINT on PostgreSQL: a 32-bit column would end these in a 500
                   "beyond 32 bits": (str(2**31), str(2**32 + task["id"]), str(2**63 - 1)[:18], HUGE_ID)}
        for task_id in unknown[ids]:
            url = tasks_url("ada", task_id)
            await ada.get(url, expect=404)
            await ada.put(url, json={"completed": True}, expect=404)
            await ada.delete(url, expect=404)
        assert await ada.tasks() == [task]

    in_app(database_url, scenario)


def test_tasks_of_others_are_404_under_your_name_and_403_under_theirs(database_url: str) -> None:
    async def scenario(todo: Todo) -> None:
        ada = await logged_in(todo, "ada")
        adas = await ada.add_task("ada's")
        bob = await logged_in(todo, "bob")
        bobs = await bob.add_task("bob's")
        mine, theirs = tasks_url("bob", adas["id"]), tasks_url("ada", adas["id"])
        await bob.get(mine, expect=404)
        await bob.put(mine, json={"name": "stolen"}, expect=404)
        await bob.delete(mine, expect=404)
        await bob.get(theirs, expect=403)
        await bob.put(theirs, json={"name": "stolen"}, expect=403)
        await bob.delete(theirs, expect=403)
        await bob.get(tasks_url("ada"), expect=403)
        await bob.post(tasks_url("ada"), json={"name": "planted"}, expect=403)
        await bob.get(tasks_url("nobody"), expect=403)
        assert await bob.tasks() == [bobs]
        assert await ada.tasks() == [adas]
        assert await todo.counts() == (2, 2)

    in_app(database_url, scenario)


def test_anonymous_task_requests_are_401(database_url: str) -> None:
    async def scenario(todo: Todo) -> None:
        ada = await logged_in(todo, "ada")
        task = await ada.add_task()
        anonymous = todo.client()
        for username in ("ada", "nobody"):
            await anonymous.get(tasks_url(username), expect=401)
            await anonymous.post(tasks_url(username), json={"name": "x"}, expect=401)
            for method in ("GET", "PUT", "DELETE"):
                await anonymous.request(method, tasks_url(username, task["id"]), json={"completed": True}, expect=401)
        assert await ada.tasks() == [task]
        assert await todo.counts() == (1, 1)

    in_app(database_url, scenario)


def test_form_bodies_create_and_change_tasks(database_url: str) -> None:
    async def scenario(todo: Todo) -> None:
        ada = await logged_in(todo, "ada")
        form = {"name": "water plants", "completed": "true", "due_date": "2026-07-01", "note": "a=b&c"}
        task = (await ada.post(tasks_url("ada"), data=form, expect=201)).json()
        assert {k: task[k] for k in form} == {**form, "completed": True}
        url = tasks_url("ada", task["id"])
        changed = (await ada.put(url, data={"completed": "false", "due_date": ""}, expect=200)).json()
        assert changed == {**task, "completed": False, "due_date": None}
        response = await ada.put(url, data={"completed": "yes"}, expect=400)
        assert set(error_of(response)["fields"]) == {"completed"}
        multipart = await ada.post(tasks_url("ada"), data={"name": "with a file"},
                                   files={"attachment": ("a.txt", b"ignored")}, expect=201)
        assert multipart.json()["name"] == "with a file"
        assert [t["name"] for t in await ada.tasks()] == ["water plants", "with a file"]

    in_app(database_url, scenario)


def test_malformed_bodies_are_400_or_413_and_store_nothing(database_url: str) -> None:
    async def scenario(todo: Todo) -> None:
        ada = await logged_in(todo, "ada")
        task = await ada.add_task("keep me")
        as_json = {"Content-Type": "application/json"}
        as_form = {"Content-Type": "application/x-www-form-urlencoded"}
        bad = [  # (body, headers, status, part of the message)
            (b'{"name": "x"', as_json, 400, "not valid JSON"),
            (b"{'name': 'x'}", as_json, 400, "not valid JSON"),
            (b'{"name": "x"}', {}, 201, None),  # no Content-Type at all: read as JSON (created, then checked)
            (b'{"name": "x"}', as_form, 400, "looks like JSON"),
            (b'  {"name": "x"}', {"Content-Type": "multipart/form-data; boundary=x"}, 400, None),
            (b'[{"name": "x"}]', as_json, 400, "must be a JSON object"),
            (b'"x"', as_json, 400, "must be a JSON object"),
            (b"null", as_json, 400, "must be a JSON object"),
            (b"42", as_json, 400, "must be a JSON object"),
            (b'{"name": "\xff\xfe"}', as_json, 400, "not valid JSON"),
            (b"[" * 100_000 + b"]" * 100_000, as_json, 413, "limit is 65536"),
            (b"[" * 30_000 + b"]" * 30_000, as_json, 400, "not valid JSON"),
            (json.dumps({"name": "x", "note": "n" * 65_536}).encode(), as_json, 413, "limit is 65536"),
            (b"name=" + b"x" * 70_000, as_form, 413, "limit is 65536"),
        ]
        created = 0
        for body, headers, status, part in bad:
            for method, url in (("POST", tasks_url("ada")), ("PUT", tasks_url("ada", task["id"]))):
                if status == 201 and method == "PUT":
                    continue
                response = await ada.request(method, url, content=body, headers=headers, expect=status)
                if part is not None:
                    assert part in error_of(response)["message"], (body[:40], response.text[:200])
                created += status == 201
        assert await todo.counts() == (1, 1 + created)
        assert (await ada.get(tasks_url("ada", task["id"]), expect=200)).json() == task
        # the other routes read bodies the same way
        await ada.post("/api/v1/accounts", content=b"[1, 2]", headers=as_json, expect=400)
        await ada.post("/api/v1/accounts/login", content=b"{oops", headers=as_json, expect=400)
        await ada.put("/api/v1/accounts/ada", content=b"x" * 70_000, headers=as_json, expect=413)
        await ada.get("/api/v1/accounts/ada", expect=200)  # still logged in: the failed login changed nothing

    in_app(database_url, scenario)


def test_a_body_over_the_servers_limit_is_refused_and_the_server_goes_on(database_url: str) -> None:
    """Bodies over HTTPServer's max_body_size (1 MiB, as python -m todo sets it) never reach the app:
    Tornado closes the connection (at most after a bare, non-JSON 400); nothing is stored."""
    async def scenario(todo: Todo) -> None:
        ada = await logged_in(todo, "ada")
        huge = json.dumps({"name": "x", "note": "n" * (2 * 1024 * 1024)}).encode()
        async with httpx.AsyncClient(base_url=todo.url, cookies={"todo_user": ada.cookie}, timeout=10) as raw:
            try:
                response = await raw.post(tasks_url("ada"), content=huge, headers={"Content-Type": "application/json"})
            except httpx.TransportError:  # the server may close before the client has sent it all
                pass
            else:
                assert response.status_code in (400, 413)
        assert await todo.counts() == (1, 0)
        await ada.add_task("after the huge one")

    in_app(database_url, scenario)


def test_200_concurrent_creations_make_200_rows(database_url: str) -> None:
    async def scenario(todo: Todo) -> None:
        ada = await logged_in(todo, "ada")
        other = await logged_in(todo, "bob")
        await other.add_task("bob's only task")
        ada = todo.client(cookies={"todo_user": ada.cookie}, limits=httpx.Limits(max_connections=50))
        ada.username = "ada"
        names = [f"task {n:03d}" for n in range(200)]
        responses = await asyncio.gather(*(ada.post(tasks_url("ada"), json={"name": name}) for name in names))
        assert [r.status_code for r in responses] == [201] * 200
        ids = [r.json()["id"] for r in responses]
        assert len(set(ids)) == 200
        assert {r.headers["Location"] for r in responses} == {tasks_url("ada", i) for i in ids}
        assert await todo.counts() == (2, 201)
        listing = await ada.tasks()
        assert sorted(t["id"] for t in listing) == sorted(ids)
        assert sorted(t["name"] for t in listing) == names
        rows = await todo.task_rows()
        assert sorted((row[0], row[1]) for row in rows if row[1] != "bob's only task") == \
            sorted(zip(ids, names))

    in_app(database_url, scenario, timeout=90)


# ---------------------------------------------------------------- the process: restarts and start-up errors

def checked(response: httpx.Response, status: int) -> httpx.Response:
    check_response(response)
    assert response.status_code == status, f"expected {status}: {response.status_code} {response.text[:300]}"
    return response


@pytest.mark.parametrize("backend", BACKENDS)
def test_data_survives_a_restart_of_the_process(backend: str, tmp_path, request: pytest.FixtureRequest) -> None:
    if backend == "sqlite":
        start = {"database": tmp_path / "todo.db"}
    else:
        start = {"database_url": new_database(request.getfixturevalue("postgres_url"))}
    first = labsupport.serve_todo(**start, fresh=True, name="todo-api-test")
    with httpx.Client(base_url=first.url, timeout=10) as client:
        checked(client.post("/api/v1/accounts", json=GOOD), 201)
        checked(client.post("/api/v1/accounts/login", json={"username": "ada", "password": PASSWORD}), 200)
        tasks = [checked(client.post(tasks_url("ada"), json={"name": f"task {n}"}), 201).json() for n in range(3)]
        checked(client.put(tasks_url("ada", tasks[1]["id"]), json={"completed": True}), 200)
        tasks[1]["completed"] = True
        checked(client.delete(tasks_url("ada", tasks[2]["id"])), 204)
        del tasks[2]
        cookie = client.cookies["todo_user"]
    first.stop()
    assert first.status == "stopped"

    second = labsupport.serve_todo(**start, name="todo-api-test")
    try:
        assert second.pid != first.pid
        with httpx.Client(base_url=second.url, timeout=10, cookies={"todo_user": cookie}) as client:
            # the fixed COOKIE_SECRET of serve_todo: the login made before the restart still works
            assert checked(client.get(tasks_url("ada")), 200).json()["tasks"] == tasks
        with httpx.Client(base_url=second.url, timeout=10) as client:
            checked(client.post("/api/v1/accounts", json=GOOD), 409)
            checked(client.post("/api/v1/accounts/login", json={"username": "ada", "password": PASSWORD}), 200)
            assert checked(client.get(tasks_url("ada")), 200).json()["tasks"] == tasks
            new = checked(client.post(tasks_url("ada"), json={"name": "after the restart"}), 201).json()
            assert new["id"] > max(t["id"] for t in tasks)
    finally:
        second.stop()
    assert "Traceback" not in first.logs() + second.logs(), first.logs() + second.logs()


@pytest.mark.parametrize("url", [
    "postgresql+asyncpg://nobody@127.0.0.1:1/x",  # nothing listens on port 1
    "sqlite+aiosqlite:////nonexistent-folder/for/todo.db",
    "nosuchdb+nodriver:///x",
    "postgresql+nosuchdriver://u@127.0.0.1/x",
    "not a url",
])
def test_a_bad_database_url_stops_the_start_with_one_clear_line(url: str) -> None:
    result = subprocess.run([sys.executable, "-m", "todo", "--port=0", f"--database_url={url}"], cwd=TODO_FOLDER,
                            capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output, output
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("todo: cannot start"), output


# ---------------------------------------------------------------- slow hashes hold no connection

def test_no_database_connection_is_held_while_a_password_is_hashed(database_url: str, monkeypatch) -> None:
    """SQLite has a pool of one connection: a request holding it through scrypt would stall all others."""
    import todo.accounts

    held: list[tuple[str, int]] = []

    def recording(name: str, original):
        async def wrapper(*args):
            held.append((name, pool.checkedout()))
            return await original(*args)
        return wrapper

    monkeypatch.setattr(todo.accounts, "hash_password", recording("hash", todo.accounts.hash_password))
    monkeypatch.setattr(todo.accounts, "check_password", recording("check", todo.accounts.check_password))

    pool = None

    async def go() -> None:
        nonlocal pool
        async with serving(database_url) as served:
            pool = served.app.database.engine.sync_engine.pool
            ada = served.client()
            await ada.register("ada")  # hashes, then logs in (checks)
            await ada.put("/api/v1/accounts/ada", json={"password": "a new password", "current_password": PASSWORD},
                          expect=200)  # checks the current one, hashes the new one
            await ada.login("ada", password="a new password")
            await ada.put("/api/v1/accounts/ada", json={"current_password": "wrong"}, expect=401)
            await ada.delete("/api/v1/accounts/ada", json={"current_password": "a new password"}, expect=204)

    run(go(), 30)
    assert [name for name, _ in held] == ["hash", "check", "check", "hash", "check", "check", "check"]
    assert held == [(name, 0) for name, _ in held], "a connection was checked out during a slow hash"


def test_an_error_message_with_a_percent_sign_arrives_as_written() -> None:
    """``HTTPError.log_message`` doubles a lone ``%``; ``write_error`` reads ``get_message()`` (Tornado 6.6)."""
    from todo.base import BaseView

    class FullView(BaseView):
        def get(self) -> None:
            raise tornado.web.HTTPError(400, "the list is 100% full")  # no args: not a format string

    async def scenario() -> None:
        server = labsupport.serve(tornado.web.Application([(r"/", FullView)], max_body_bytes=1000), name="percent-test")
        try:
            async with httpx.AsyncClient(timeout=5) as client:
                response = await client.get(server.url)
            assert response.status_code == 400
            assert response.json() == {"error": {"status": 400, "message": "the list is 100% full"}}
        finally:
            server.stop()

    run(scenario())
