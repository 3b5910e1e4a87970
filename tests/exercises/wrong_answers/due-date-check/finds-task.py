# Wrong: looks the task up by its id alone, so a task of another account is found (and changed) under bob's URL.
# Expect: for a task of another account
class CheckedTaskView(TaskView):
    @in_transaction
    async def put(self, username: str, task_id: str) -> None:
        await self.owner(username)
        task = await self.session.get(Task, int(task_id))
        if task is None:
            raise ApiError(404, f"no task {task_id}")
        fields = clean(self.form_data, TASK_FIELDS, partial=True)
        due = fields.get("due_date")
        if due is not None and due < date.today():
            raise ApiError(400, "some fields are missing or wrong", fields={"due_date": "must be today or later"})
        for name, value in fields.items():
            setattr(task, name, value)
        self.send(task.to_dict())
