# Wrong: Task.completed is True is Python's comparison, False, so the query counts no completed tasks.
# Expect: not Python's `is True`
class TaskCountView(AccountView):
    @in_transaction
    async def get(self, username: str) -> None:
        owner = await self.owner(username)
        mine = select(func.count()).select_from(Task).where(Task.owner_id == owner.id)
        total = await self.session.scalar(mine)
        completed = await self.session.scalar(mine.where(Task.completed is True))
        self.send({"username": username, "tasks": total, "completed": completed})
