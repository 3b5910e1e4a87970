"""BatchedCreates: the task creates that arrive while a batch is being written go in the next one.

Example, in a view::

    row = await BatchedCreates.of(self.application).create(self, username, fields)
    row.owner_id, row.id, row.name, row.created   # the new task's columns, committed
"""

import asyncio
from dataclasses import dataclass, field

from sqlalchemy import insert, select

from .models import Profile, Task

# A new task's values unless its create says otherwise: the model's defaults, which the INSERT
# would fill in too. With them, each create's values are all that its row holds but id and created.
DEFAULTS = {"note": "", "due_date": None, "completed": False}

# What the INSERT gives back for each new task: its owner, then the columns of its JSON. render_nulls:
# a None goes in as NULL, so every row has the same columns and one INSERT takes the whole batch.
NEW_TASKS = insert(Task).returning(Task.owner_id, Task.id, Task.name, Task.note, Task.created,
                                   Task.due_date, Task.completed).execution_options(render_nulls=True)


def holds(values: dict) -> tuple:
    """What a create asks a row to hold, to find its own among the rows of a batch."""
    return values["owner_id"], values["name"], values["note"], values["due_date"], values["completed"]


@dataclass
class Create:
    """One request's create: its view (the login, check_owner), the account it names, the fields."""

    view: object
    username: str
    fields: dict
    done: asyncio.Future = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class BatchedCreates:
    """The creates of one app, written in batches by one writer task, one transaction per batch."""

    def __init__(self, database) -> None:
        self.database = database
        self.waiting: list[Create] = []
        self.writer: asyncio.Task | None = None  # runs while creates wait, then ends

    @classmethod
    def of(cls, app) -> "BatchedCreates":
        """The app's own, made at its first create."""
        if "batched_creates" not in vars(app):
            app.batched_creates = cls(app.database)
        return app.batched_creates

    async def create(self, view, username: str, fields: dict):
        """The new task's row once it is committed; ApiError 401 or 403 as ``view.check_owner`` says."""
        create = Create(view, username, fields)
        self.waiting.append(create)
        if self.writer is None or self.writer.done():
            self.writer = asyncio.create_task(self.write_all())
        return await create.done

    async def write_all(self) -> None:
        """Write batches until no create waits: each batch holds the creates that came during the last."""
        while self.waiting:
            batch, self.waiting = self.waiting, []
            await self.write(batch)

    async def write(self, batch: list[Create]) -> None:
        """One transaction for the batch; if it fails, each create again on its own."""
        try:
            async with self.database.sessions.begin() as session:
                added = await self.add(session, batch)
        except Exception as exc:  # rolled back: nothing of the batch was stored
            left = [create for create in batch if not create.done.done()]
            if len(batch) > 1:
                for create in left:
                    await self.write([create])  # alone: only a create that fails by itself fails
            elif left:
                left[0].done.set_exception(exc)
            return
        for create, row in added:  # committed: now each request may answer 201
            if not create.done.done():  # a request cancelled meanwhile must not stop the others
                create.done.set_result(row)

    async def add(self, session, batch: list[Create]) -> list:
        """Insert the tasks of the creates whose owner checks pass: (create, row) for each."""
        passed = await self.check_owners(session, batch)
        rows = (await session.execute(NEW_TASKS, [values for _, values in passed])).all() if passed else []
        # RETURNING lists the rows in no promised order: each create takes a row that holds its values.
        # Two creates with the same values made the same task twice, so either row answers either.
        unclaimed = {}
        for row in rows:
            unclaimed.setdefault(holds(row._mapping), []).append(row)
        return [(create, unclaimed[holds(values)].pop()) for create, values in passed]

    async def check_owners(self, session, batch: list[Create]) -> list:
        """Look up the profiles of the batch's logins with one query: (create, values) for each that passes."""
        logins = [create.view.current_user for create in batch]
        ids = sorted({login[0] for login in logins if login})
        profiles = {row.id: row for row in await session.execute(
            select(Profile.id, Profile.username, Profile.password_hash).where(Profile.id.in_(ids)))}
        passed = []
        for create, login in zip(batch, logins):
            try:
                profile = profiles.get(login[0]) if login else None
                create.view.check_owner(profile, create.username)
                passed.append((create, {**DEFAULTS, **create.fields, "owner_id": profile.id}))
            except Exception as exc:  # 401 or 403, for this create only
                create.done.set_exception(exc)
        return passed
