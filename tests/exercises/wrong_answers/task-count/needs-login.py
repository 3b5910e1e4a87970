# Wrong: compares the logged-in id with the account's own check, so a request without a login gets 403, not 401.
# Expect: answers 401 when nobody is logged in
class TaskCountView(AccountView):
    @in_transaction
    async def get(self, username: str) -> None:
        owner = await self.find_profile(username)
        if owner is None or self.current_user != owner.id:
            raise ApiError(403, "these tasks are not yours")
        mine = select(func.count()).select_from(Task).where(Task.owner_id == owner.id)
        total = await self.session.scalar(mine)
        completed = await self.session.scalar(mine.where(Task.completed))
        self.send({"username": username, "tasks": total, "completed": completed})
