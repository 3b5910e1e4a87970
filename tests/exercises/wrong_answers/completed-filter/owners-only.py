# Wrong: builds a new query for the filter, without the owner's condition, so other accounts' tasks show up.
# Expect: with bob's task among ada's
class FilteredTaskListView(TaskListView):
    @in_transaction
    async def get(self, username: str) -> None:
        owner = await self.owner(username)
        query = select(Task).where(Task.owner_id == owner.id).order_by(Task.id)
        completed = self.get_query_argument("completed", None)
        if completed is not None:
            if completed not in ("true", "false"):
                raise ApiError(400, f"completed must be true or false, not {completed!r}")
            query = select(Task).where(Task.completed == (completed == "true")).order_by(Task.id)
        tasks = await self.session.scalars(query)
        self.send({"username": username, "tasks": [task.to_dict() for task in tasks]})
