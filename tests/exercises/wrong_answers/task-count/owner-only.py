# Wrong: counts the tasks of whoever is logged in, whichever account the URL names.
# Expect: await self.owner(username)
class TaskCountView(AccountView):
    @in_transaction
    async def get(self, username: str) -> None:
        if self.current_user is None:
            raise ApiError(401, "log in first")
        profile_id, _ = self.current_user  # the id and the stamp in the login cookie
        mine = select(func.count()).select_from(Task).where(Task.owner_id == profile_id)
        total = await self.session.scalar(mine)
        completed = await self.session.scalar(mine.where(Task.completed))
        self.send({"username": username, "tasks": total, "completed": completed})
