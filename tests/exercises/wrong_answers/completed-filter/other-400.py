# Wrong: lower-cases the value first, so ?completed=TRUE is taken as true instead of getting 400.
# Expect: only the texts true and false are filters
class FilteredTaskListView(TaskListView):
    @in_transaction
    async def get(self, username: str) -> None:
        owner = await self.owner(username)
        query = select(Task).where(Task.owner_id == owner.id).order_by(Task.id)
        completed = self.get_query_argument("completed", None)
        if completed is not None:
            text = completed.lower()
            if text not in ("true", "false"):
                raise ApiError(400, f"completed must be true or false, not {completed!r}")
            query = query.where(Task.completed == (text == "true"))
        tasks = await self.session.scalars(query)
        self.send({"username": username, "tasks": [task.to_dict() for task in tasks]})
