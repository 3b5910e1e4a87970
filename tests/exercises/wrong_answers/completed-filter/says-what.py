# Wrong: refuses other values with a message that does not say what completed must be.
# Expect: does not say what completed must be
class FilteredTaskListView(TaskListView):
    @in_transaction
    async def get(self, username: str) -> None:
        owner = await self.owner(username)
        query = select(Task).where(Task.owner_id == owner.id).order_by(Task.id)
        completed = self.get_query_argument("completed", None)
        if completed is not None:
            if completed not in ("true", "false"):
                raise ApiError(400, "bad request")
            query = query.where(Task.completed == (completed == "true"))
        tasks = await self.session.scalars(query)
        self.send({"username": username, "tasks": [task.to_dict() for task in tasks]})
