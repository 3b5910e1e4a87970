"""todo/batched_creates.py (lesson 12): creates that arrive together share one transaction.

Each test sends creates at once, so that they land in one batch, and checks what each client
was told against what the database holds, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import types

import pytest
from sqlalchemy import event

from .postgres import postgres_url  # noqa: F401  (importing registers the fixture)
from .test_todo_api import cheap_hashes, database_url, in_app, logged_in  # noqa: F401  (fixtures)
from .todo_helpers import tasks_url


def counting_batches(monkeypatch, *, names: list | None = None, gather: int = 0) -> list[int]:
    """The size of every batch written, in order; with ``names``, the task names of each batch too.

    ``gather``: the first batch (the first after ``sizes.clear()``) is held until it and the creates
    waiting behind it are that many (5 s at most; keep it under the test client's 20 connections),
    so that they share the next batch, as they do on a busy machine while a batch is written.
    """
    from todo.batched_creates import BatchedCreates

    sizes: list[int] = []
    write = BatchedCreates.write

    async def counted(self, batch):
        sizes.append(len(batch))
        if names is not None:
            names.append([create.fields["name"] for create in batch])
        for _ in range(500 if len(sizes) == 1 else 0):
            if len(batch) + len(self.waiting) >= gather:
                break
            await asyncio.sleep(0.01)
        await write(self, batch)

    monkeypatch.setattr(BatchedCreates, "write", counted)
    return sizes


def on_new_tasks(monkeypatch, change):
    """Call ``change(rows, values)`` on what the batch INSERT gives back; it returns the rows to use."""
    from sqlalchemy.ext.asyncio import AsyncSession
    from todo import batched_creates

    execute = AsyncSession.execute

    async def changed(self, statement, params=None, *args, **kwargs):
        result = await execute(self, statement, params, *args, **kwargs)
        if statement is not batched_creates.NEW_TASKS:
            return result
        rows = change(result.all(), params)
        return types.SimpleNamespace(all=lambda: rows)

    monkeypatch.setattr(AsyncSession, "execute", changed)


def test_the_defaults_are_the_models_own():
    """DEFAULTS and holds() must say what the INSERT fills in: every column but id and created."""
    from todo.batched_creates import DEFAULTS, holds
    from todo.models import Task

    columns = Task.__table__.c
    assert DEFAULTS == {name: columns[name].default.arg if columns[name].default is not None else None
                        for name in DEFAULTS}
    assert set(DEFAULTS) | {"owner_id", "name"} == {column.name for column in columns} - {"id", "created"}
    values = {**DEFAULTS, "owner_id": 7, "name": "n"}
    assert len(holds(values)) == len(values), "holds() leaves out a column a create sets"


def test_each_create_is_told_its_own_task_and_every_task_is_stored(database_url, monkeypatch):
    sizes = counting_batches(monkeypatch)
    # Same names with other fields, and exact duplicates: only the values tell the rows apart.
    bodies = [{"name": "milk"}, {"name": "milk", "note": "oat"}, {"name": "milk", "completed": True},
              {"name": "milk", "due_date": "2031-02-03"}, {"name": "milk"}, {"name": "eggs", "note": ""}] * 4

    async def scenario(todo):
        ada, bob = await logged_in(todo, "ada"), await logged_in(todo, "bob")
        sizes.clear()
        answers = await asyncio.gather(*(client.post(tasks_url(client.username), json=body, expect=201)
                                         for body in bodies for client in (ada, bob)))
        assert max(sizes) > 1, f"no two creates shared a batch: {sizes}"
        assert len(sizes) < len(answers), sizes
        told = [answer.json() for answer in answers]
        assert len({task["id"] for task in told}) == len(told), "two creates were told the same task"
        for answer, task, (body, client) in zip(answers, told, [(b, c) for b in bodies for c in (ada, bob)]):
            assert answer.headers["Location"] == tasks_url(client.username, task["id"])
            stored = (await client.get(tasks_url(client.username, task["id"]), expect=200)).json()
            assert stored == task, "the 201 does not say what was stored"
            expected = {"note": "", "due_date": None, "completed": False, **body}
            assert {key: stored[key] for key in expected} == expected, (body, stored)
        assert await todo.counts() == (2, len(bodies) * 2)

    in_app(database_url, scenario)


def test_a_batch_is_one_insert_even_when_its_tasks_set_other_fields(database_url, monkeypatch):
    """render_nulls: a task without a due date sends NULL, so its row has the columns of the others."""
    bodies = [{"name": f"t{i}", **({"due_date": "2031-02-03"} if i % 2 else {})} for i in range(12)]
    sizes = counting_batches(monkeypatch, gather=len(bodies))

    async def scenario(todo):
        ada = await logged_in(todo, "ada")
        inserts: list[str] = []

        def seen(connection, cursor, statement, *args):
            if statement.startswith("INSERT INTO tasks"):
                inserts.append(statement)

        event.listen(todo.app.database.engine.sync_engine, "before_cursor_execute", seen)
        sizes.clear()
        answers = await asyncio.gather(*(ada.post(tasks_url("ada"), json=body, expect=201) for body in bodies))
        assert sum(sizes) == len(bodies) and max(sizes) > 2, sizes
        assert len(inserts) == len(sizes), f"{len(inserts)} INSERTs for batches of {sizes}"
        assert [a.json()["due_date"] for a in answers] == [body.get("due_date") for body in bodies]

    in_app(database_url, scenario)


def test_each_create_finds_its_row_in_any_order_returning_gives(database_url, monkeypatch):
    """RETURNING promises no order: with the rows given back reversed, each create still gets its own."""
    names = [f"task {i}" for i in range(10)]
    sizes = counting_batches(monkeypatch, gather=len(names))
    reversed_batches = []

    def reverse(rows, values):
        reversed_batches.append(len(rows))
        return rows[::-1]

    on_new_tasks(monkeypatch, reverse)

    async def scenario(todo):
        ada = await logged_in(todo, "ada")
        sizes.clear()
        answers = await asyncio.gather(*(ada.post(tasks_url("ada"), json={"name": name}, expect=201) for name in names))
        assert reversed_batches == sizes and sum(sizes) == len(names) and max(sizes) > 1, (reversed_batches, sizes)
        assert [answer.json()["name"] for answer in answers] == names
        for answer in answers:
            assert (await ada.get(answer.headers["Location"], expect=200)).json() == answer.json()

    in_app(database_url, scenario)


def test_a_create_refused_in_a_batch_fails_alone(database_url, monkeypatch):
    sizes = counting_batches(monkeypatch)

    async def scenario(todo):
        ada, bob = await logged_in(todo, "ada"), await logged_in(todo, "bob")
        stranger = todo.client(cookies={"todo_user": "forged"})
        sizes.clear()
        sends = [ada.post(tasks_url("ada"), json={"name": f"ada {i}"}) for i in range(5)]
        sends += [bob.post(tasks_url("ada"), json={"name": "bob writes in ada's list"}),  # 403
                  stranger.post(tasks_url("ada"), json={"name": "nobody"})]  # 401
        sends += [bob.post(tasks_url("bob"), json={"name": f"bob {i}"}) for i in range(5)]
        answers = await asyncio.gather(*sends)
        assert [a.status_code for a in answers] == [201] * 5 + [403, 401] + [201] * 5
        assert "you are logged in as 'bob'" in answers[5].json()["error"]["message"]
        assert sorted(task["name"] for task in await ada.tasks()) == [f"ada {i}" for i in range(5)]
        assert len(await bob.tasks()) == 5
        assert max(sizes) > 2, sizes

    in_app(database_url, scenario)


def test_a_batch_that_fails_is_written_again_one_create_at_a_time(database_url, monkeypatch):
    """The failure comes after the INSERT ran: the rollback must take back the rows of the whole batch."""
    batches: list[list[str]] = []
    sizes = counting_batches(monkeypatch, names=batches, gather=9)  # the 9 creates below

    def fail_on_poison(rows, values):
        if any(row["name"] == "poison" for row in values):
            raise RuntimeError("the database refused the poison task")
        return rows

    on_new_tasks(monkeypatch, fail_on_poison)

    async def scenario(todo):
        ada = await logged_in(todo, "ada")
        names = [f"task {i}" for i in range(4)] + ["poison"] + [f"task {i}" for i in range(4, 8)]
        sizes.clear()
        batches.clear()
        # ada.http: not ada.post, which fails any 5xx; here one 500 is the point
        sends = asyncio.gather(*(ada.http.post(tasks_url("ada"), json={"name": name}) for name in names))
        try:
            answers = await asyncio.wait_for(sends, timeout=15)
        except TimeoutError:
            pytest.fail(f"a create was never answered after its batch failed; batches written: {batches}")
        statuses = dict(zip(names, (a.status_code for a in answers)))
        assert statuses.pop("poison") == 500
        assert answers[4].json()["error"]["message"] == "internal error: the server log has the details"
        assert set(statuses.values()) == {201}, statuses
        assert sorted(task["name"] for task in await ada.tasks()) == sorted(statuses)
        assert await todo.counts() == (1, 8), "a rolled-back batch left rows, or lost some"
        failed = next(i for i, batch in enumerate(batches) if "poison" in batch)
        assert len(batches[failed]) > 1, f"poison was alone from the start: {batches}"
        assert batches[failed + 1:failed + 1 + len(batches[failed])] == [[name] for name in batches[failed]], (
            f"the failed batch was not written again one create at a time: {batches}")

    in_app(database_url, scenario)


def test_the_writer_ends_when_no_create_waits(tmp_path):
    from labsupport.servers.todo import sqlite_url

    async def scenario(todo):
        ada = await logged_in(todo, "ada")
        await asyncio.gather(*(ada.add_task(f"t{i}") for i in range(10)))
        writer = todo.app.batched_creates.writer
        for _ in range(20):
            if writer.done():
                break
            await asyncio.sleep(0.05)
        assert writer.done() and writer.exception() is None
        assert todo.app.batched_creates.waiting == []
        await ada.add_task("one more")  # a new writer starts for it
        assert len(await ada.tasks()) == 11

    in_app(sqlite_url(tmp_path / "todo.db"), scenario)


@pytest.mark.parametrize("body, message", [({"name": ""}, "name"), ({"note": "x"}, "name"), ([1], "JSON object")])
def test_a_bad_body_gets_its_400_before_any_batch(tmp_path, monkeypatch, body, message):
    from labsupport.servers.todo import sqlite_url

    sizes = counting_batches(monkeypatch)

    async def scenario(todo):
        ada = await logged_in(todo, "ada")
        answer = await ada.post(tasks_url("ada"), json=body, expect=400)
        assert message in answer.text
        assert sizes == [] and await todo.counts() == (1, 0)

    in_app(sqlite_url(tmp_path / "todo.db"), scenario)
