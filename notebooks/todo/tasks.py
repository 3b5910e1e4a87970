"""The task views: /api/v1/accounts/<username>/tasks and /tasks/<id>."""

from sqlalchemy import select

from .auth import AccountView
from .base import ApiError
from .database import in_transaction
from .models import Task
from .validation import Field, clean

TASK_FIELDS = {
    "name": Field(required=True, min_length=1, max_length=100),
    "note": Field(max_length=1000),
    "due_date": Field(kind="date"),
    "completed": Field(kind="bool"),
}


class TaskListView(AccountView):
    """GET lists the account's tasks; POST creates one (201)."""

    @in_transaction
    async def get(self, username: str) -> None:
        owner = await self.owner(username)
        tasks = await self.session.scalars(select(Task).where(Task.owner_id == owner.id).order_by(Task.id))
        self.send({"username": username, "tasks": [task.to_dict() for task in tasks]})

    @in_transaction
    async def post(self, username: str) -> None:
        owner = await self.owner(username)
        task = Task(owner_id=owner.id, **clean(self.form_data, TASK_FIELDS))
        self.session.add(task)
        await self.session.flush()  # sends the INSERT, which gives the task its id
        self.set_header("Location", f"{self.request.path}/{task.id}")
        self.send(task.to_dict(), 201)


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
