"""The throwaway PostgreSQL server of tests/postgres.py: its URL works, its databases are separate."""

from __future__ import annotations

import asyncpg
import pytest

from .conftest import run
from .postgres import asyncpg_dsn, new_database, postgres_url  # noqa: F401  (the import registers the fixture)


def test_url_is_loopback_asyncpg_and_fresh(postgres_url: str) -> None:  # noqa: F811
    assert postgres_url.startswith("postgresql+asyncpg://postgres@127.0.0.1:")
    assert postgres_url.rsplit("/", 1)[1].startswith("todo_test_")
    assert asyncpg_dsn(postgres_url) == postgres_url.replace("postgresql+asyncpg://", "postgresql://")


def test_select_create_insert_read_back(postgres_url: str) -> None:  # noqa: F811
    async def go() -> None:
        conn = await asyncpg.connect(asyncpg_dsn(postgres_url))
        try:
            assert await conn.fetchval("SELECT 1") == 1
            assert await conn.fetchval("SELECT current_database()") == postgres_url.rsplit("/", 1)[1]
            assert await conn.fetchval("SHOW server_encoding") == "UTF8"
            await conn.execute("CREATE TABLE tasks (id serial PRIMARY KEY, title text NOT NULL)")
            await conn.executemany("INSERT INTO tasks (title) VALUES ($1)", [("buy milk",), ("fix bike ✓",)])
            rows = await conn.fetch("SELECT id, title FROM tasks ORDER BY id")
            assert [(r["id"], r["title"]) for r in rows] == [(1, "buy milk"), (2, "fix bike ✓")]
            with pytest.raises(asyncpg.NotNullViolationError):
                await conn.execute("INSERT INTO tasks (title) VALUES (NULL)")
        finally:
            await conn.close()

    run(go())


def test_new_database_is_empty_and_separate(postgres_url: str) -> None:  # noqa: F811
    other = new_database(postgres_url)
    assert other != postgres_url and other.rsplit("/", 1)[0] == postgres_url.rsplit("/", 1)[0]

    async def go() -> None:
        first = await asyncpg.connect(asyncpg_dsn(postgres_url))
        second = await asyncpg.connect(asyncpg_dsn(other))
        try:
            await first.execute("CREATE TABLE only_in_first (x int)")
            assert await second.fetchval("SELECT current_database()") == other.rsplit("/", 1)[1]
            tables = await second.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            assert tables == []
            await second.execute("CREATE TABLE only_in_second (x int)")
            assert await first.fetchval("SELECT to_regclass('only_in_second')") is None
            assert await first.fetchval("SELECT to_regclass('only_in_first')") == "only_in_first"
        finally:
            await first.close()
            await second.close()

    run(go())


def test_sqlalchemy_engine_on_the_url(postgres_url: str) -> None:  # noqa: F811
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    async def go() -> None:
        engine = create_async_engine(new_database(postgres_url))
        try:
            async with engine.begin() as conn:
                await conn.execute(text("CREATE TABLE t (n int)"))
                await conn.execute(text("INSERT INTO t VALUES (41), (1)"))
            async with engine.connect() as conn:
                assert (await conn.execute(text("SELECT sum(n) FROM t"))).scalar_one() == 42
        finally:
            await engine.dispose()

    run(go())
