# Wrong: bool("false") is True, and any other value is taken as a filter instead of a 400.
# Expect: bool('false') is True
class FilteredTaskListView(TaskListView):
    @in_transaction
    async def get(self, username: str) -> None:
        owner = await self.owner(username)
        query = select(Task).where(Task.owner_id == owner.id).order_by(Task.id)
        completed = self.get_query_argument("completed", None)
        if completed:
            query = query.where(Task.completed == bool(completed))
        tasks = await self.session.scalars(query)
        self.send({"username": username, "tasks": [task.to_dict() for task in tasks]})
