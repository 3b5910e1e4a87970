"""The task views: /api/v1/accounts/<username>/tasks and /tasks/<id>."""

from sqlalchemy import bindparam, select

from .auth import AccountView
from .base import ApiError
from .batched_creates import BatchedCreates
from .database import in_transaction
from .models import Profile, Task
from .validation import Field, clean

TASK_FIELDS = {
    "name": Field(required=True, min_length=1, max_length=100),
    "note": Field(max_length=1000),
    "due_date": Field(kind="date"),
    "completed": Field(kind="bool"),
}


# The logged-in profile and its tasks in one query, built once: a request only binds the id.
# Columns, not objects: each row has the attributes to_dict() and check_owner() read. A profile
# without tasks gives one row whose task columns are None (an outer join).
PROFILE_WITH_TASKS = (
    select(Profile.username, Profile.password_hash,
           Task.id, Task.name, Task.note, Task.created, Task.due_date, Task.completed)
    .outerjoin(Task).where(Profile.id == bindparam("profile_id")).order_by(Task.id)
)


def task_dict(id, name, note, created, due_date, completed) -> dict:
    """What Task.to_dict() gives, from a row's task columns: unpacking a row is quicker than its attributes."""
    return {"id": id, "name": name, "note": note, "created": created.isoformat() + "Z",
            "due_date": due_date.isoformat() if due_date else None, "completed": completed}


class TaskListView(AccountView):
    """GET lists the account's tasks; POST creates one (201)."""

    async def get(self, username: str) -> None:
        login = self.current_user
        async with self.application.database.engine.connect() as connection:  # a read: no session needed
            rows = (await connection.execute(PROFILE_WITH_TASKS, {"profile_id": login and login[0]})).all()
        self.check_owner(rows[0] if rows else None, username)
        self.send({"username": username, "tasks": [task_dict(*row[2:]) for row in rows if row.id is not None]})

    async def post(self, username: str) -> None:
        fields = clean(self.form_data, TASK_FIELDS)  # a 400 before it waits for a batch
        row = await BatchedCreates.of(self.application).create(self, username, fields)
        self.set_header("Location", f"{self.request.path}/{row.id}")
        self.send(task_dict(*row[1:]), 201)  # the columns after owner_id


class TaskView(AccountView):
    """GET, PUT (change some fields) and DELETE one task of the account."""

    async def find_task(self, username: str, task_id: str) -> Task:
        owner = await self.owner(username)
        task = await self.session.get(Task, int(task_id))
        if task is None or task.owner_id != owner.id:
            raise ApiError(404, f"{username!r} has no task {task_id}")
        return task

    @in_transaction
    async def get(self, username: str, task_id: str) -> None:
        self.send((await self.find_task(username, task_id)).to_dict())

    @in_transaction
    async def put(self, username: str, task_id: str) -> None:
        task = await self.find_task(username, task_id)
        for name, value in clean(self.form_data, TASK_FIELDS, partial=True).items():
            setattr(task, name, value)
        self.send(task.to_dict())

    @in_transaction
    async def delete(self, username: str, task_id: str) -> None:
        await self.session.delete(await self.find_task(username, task_id))
        self.send(None, 204)
