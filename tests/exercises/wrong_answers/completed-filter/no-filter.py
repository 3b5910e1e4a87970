# Wrong: takes a missing parameter as the empty text, so a list without ?completed gets 400.
# Expect: without ?completed, list every task
class FilteredTaskListView(TaskListView):
    @in_transaction
    async def get(self, username: str) -> None:
        owner = await self.owner(username)
        query = select(Task).where(Task.owner_id == owner.id).order_by(Task.id)
        completed = self.get_query_argument("completed", "")
        if completed not in ("true", "false"):
            raise ApiError(400, f"completed must be true or false, not {completed!r}")
        query = query.where(Task.completed == (completed == "true"))
        tasks = await self.session.scalars(query)
        self.send({"username": username, "tasks": [task.to_dict() for task in tasks]})
