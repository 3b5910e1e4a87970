"""The database: an async SQLAlchemy engine, sessions, and a session per request for views."""

import functools

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase
from tornado.ioloop import IOLoop


class Base(DeclarativeBase):
    """The base class of every model; ``Base.metadata`` knows all their tables."""


class Database:
    """An engine for ``url`` (``sqlite+aiosqlite:///todo.db``, ``postgresql+asyncpg://...``)."""

    def __init__(self, url: str) -> None:
        sqlite = url.startswith("sqlite")
        # SQLite lets one connection write at a time. With one pooled connection, requests queue
        # on the event loop instead of sleeping in SQLite's busy handler, which made a slow tail.
        options = {"connect_args": {"timeout": 30}, "pool_size": 1, "max_overflow": 0} if sqlite else {}
        self.engine = create_async_engine(url, **options)
        if sqlite:
            event.listen(self.engine.sync_engine, "connect", _tune_sqlite)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    def __str__(self) -> str:
        """The URL, password hidden: what a log line may show."""
        return self.engine.url.render_as_string(hide_password=True)

    async def create_tables(self) -> None:
        """Create the tables that do not exist yet (existing data is kept)."""
        from . import models  # noqa: F401  (registers the tables with Base.metadata)

        async with self.engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)

    async def close(self) -> None:
        await self.engine.dispose()


def _tune_sqlite(connection, record) -> None:
    """Called for each new SQLite connection: other processes may read while we write; enforce foreign keys."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class SessionMixin:
    """Gives a view ``self.session``, opened on first use and closed when the request ends."""

    _session: AsyncSession | None = None

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            self._session = self.application.database.sessions()
        return self._session

    def on_finish(self) -> None:
        """Called after the response is sent: close the session (rolling back anything left)."""
        if self._session is not None:
            IOLoop.current().add_callback(self._session.close)


def in_transaction(method):
    """Run a view method in a transaction: committed if it returns, rolled back if it raises.

    The answer is only buffered until the method returns, so a failed commit still turns
    into an error response: the client never sees a 201 for data that was not stored.
    """
    @functools.wraps(method)
    async def run(self, *args, **kwargs) -> None:
        async with self.session.begin():
            await method(self, *args, **kwargs)
    return run
