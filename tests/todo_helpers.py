"""Shared by the to-do API tests: serve ``notebooks/todo`` in-process and talk to it, checking every answer.

Example, inside a test coroutine::

    async with serving("sqlite+aiosqlite:////tmp/t.db") as todo:
        ada = todo.client()
        await ada.register("ada")                      # 201, and logged in
        task = (await ada.post("/api/v1/accounts/ada/tasks", json={"name": "milk"}, expect=201)).json()
        assert await todo.counts() == (1, 1)           # (profiles, tasks) in the database

Every response any client gets is checked by :func:`check_response`: never a 5xx, always a
JSON body (an ``{"error": {"status", "message"}}`` one for errors), except 204, which is empty.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import tornado.web
from sqlalchemy import func, select
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets

from labsupport.servers.todo import import_todo

todo = import_todo()  # the app the lessons wrote, in notebooks/todo
from todo.models import Profile, Task  # noqa: E402

__all__ = ["PASSWORD", "Client", "Todo", "check_response", "serving", "tasks_url", "todo"]

PASSWORD = "correct horse"
MAX_BODY_SIZE = 1024 * 1024  # what python -m todo gives its HTTPServer


def check_response(response: httpx.Response) -> None:
    """Fail unless ``response`` is what the API promises for any request: no 5xx, JSON (or an empty 204)."""
    where = f"{response.request.method} {response.request.url.path} -> {response.status_code}"
    assert response.status_code < 500, f"{where}: {response.text[:500]}"
    assert "Traceback" not in response.text, f"{where}: {response.text[:500]}"
    if response.status_code == 204:
        assert response.content == b"", f"{where} has a body: {response.text[:200]}"
        return
    assert response.headers.get("content-type", "").startswith("application/json"), \
        f"{where}: Content-Type {response.headers.get('content-type')!r}"
    body = response.json()  # raises when it is not JSON
    assert isinstance(body, dict), f"{where}: {body!r}"
    if response.status_code >= 400:
        error = body.get("error")
        assert isinstance(error, dict), f"{where}: no 'error' object in {body!r}"
        assert error.get("status") == response.status_code, f"{where}: {body!r}"
        assert isinstance(error.get("message"), str) and error["message"], f"{where}: {body!r}"


def tasks_url(username: str, task_id: int | str | None = None) -> str:
    url = f"/api/v1/accounts/{username}/tasks"
    return url if task_id is None else f"{url}/{task_id}"


@dataclass
class Client:
    """One user agent (its own cookie jar) of a served app; every response goes through check_response."""

    http: httpx.AsyncClient
    username: str | None = None

    async def request(self, method: str, path: str, *, expect: int | None = None, **kwargs) -> httpx.Response:
        response = await self.http.request(method, path, **kwargs)
        check_response(response)
        if expect is not None:
            assert response.status_code == expect, \
                f"{method} {path}: expected {expect}, got {response.status_code}: {response.text[:500]}"
        return response

    async def get(self, path: str, **kwargs) -> httpx.Response:
        return await self.request("GET", path, **kwargs)

    async def post(self, path: str, **kwargs) -> httpx.Response:
        return await self.request("POST", path, **kwargs)

    async def put(self, path: str, **kwargs) -> httpx.Response:
        return await self.request("PUT", path, **kwargs)

    async def delete(self, path: str, **kwargs) -> httpx.Response:
        return await self.request("DELETE", path, **kwargs)

    async def register(self, username: str, *, password: str = PASSWORD, login: bool = True) -> dict:
        """Create the account ``username`` (201) and, unless ``login=False``, log in as it."""
        body = {"username": username, "email": f"{username}@example.org", "password": password}
        profile = (await self.post("/api/v1/accounts", json=body, expect=201)).json()
        if login:
            await self.login(username, password=password)
        return profile

    async def login(self, username: str, *, password: str = PASSWORD) -> httpx.Response:
        response = await self.post("/api/v1/accounts/login", json={"username": username, "password": password},
                                   expect=200)
        self.username = username
        return response

    async def add_task(self, name: str = "buy milk", **fields) -> dict:
        """Create a task of the logged-in user; return its JSON."""
        response = await self.post(tasks_url(self.username), json={"name": name, **fields}, expect=201)
        return response.json()

    async def tasks(self, username: str | None = None) -> list[dict]:
        """The task list of ``username`` (by default the logged-in user)."""
        response = await self.get(tasks_url(username or self.username), expect=200)
        return response.json()["tasks"]

    @property
    def cookie(self) -> str | None:
        return self.http.cookies.get("todo_user")


@dataclass
class Todo:
    """The app served on 127.0.0.1 (``url``), its clients, and ``counts()`` of rows in its database."""

    app: tornado.web.Application
    server: HTTPServer
    url: str
    clients: list[Client] = field(default_factory=list)

    def client(self, *, cookies: dict[str, str] | None = None, limits: httpx.Limits | None = None) -> Client:
        http = httpx.AsyncClient(base_url=self.url, timeout=30, cookies=cookies,
                                 limits=limits or httpx.Limits(max_connections=20))
        client = Client(http)
        self.clients.append(client)
        return client

    async def counts(self) -> tuple[int, int]:
        """(profiles, tasks): the rows in the database, read with a session of our own."""
        async with self.app.database.sessions() as session:
            profiles = await session.scalar(select(func.count()).select_from(Profile))
            tasks = await session.scalar(select(func.count()).select_from(Task))
        return profiles, tasks

    async def task_rows(self) -> list[tuple[int, str, int]]:
        """Every task row as (id, name, owner_id), by id."""
        async with self.app.database.sessions() as session:
            rows = await session.execute(select(Task.id, Task.name, Task.owner_id).order_by(Task.id))
            return [tuple(row) for row in rows]


@contextlib.asynccontextmanager
async def serving(database_url: str, **settings) -> AsyncIterator[Todo]:
    """Serve ``todo.make_app`` on ``database_url`` (tables created) on a free port; stop it all after."""
    app = todo.make_app(database_url=database_url, cookie_secret="test", **settings)
    server = None
    served = None
    try:
        await app.database.create_tables()
        sockets = bind_sockets(0, "127.0.0.1")
        server = HTTPServer(app, max_body_size=MAX_BODY_SIZE)
        server.add_sockets(sockets)
        served = Todo(app, server, f"http://127.0.0.1:{sockets[0].getsockname()[1]}")
        yield served
    finally:
        if served is not None:
            for client in served.clients:
                await client.http.aclose()
        if server is not None:
            server.stop()
            await server.close_all_connections()
        for _ in range(5):  # let on_finish's session.close callbacks run before the engine goes
            await asyncio.sleep(0)
        await app.database.close()
