# Wrong: counts every task in the database, not only the owner's.
# Expect: count only the owner's tasks
class TaskCountView(AccountView):
    @in_transaction
    async def get(self, username: str) -> None:
        owner = await self.owner(username)
        everything = select(func.count()).select_from(Task)
        total = await self.session.scalar(everything)
        completed = await self.session.scalar(everything.where(Task.completed))
        self.send({"username": username, "tasks": total, "completed": completed})
