# Wrong: answers the task with the new fields, but never sets them on the task, so nothing is stored.
# Expect: the change was not stored
class CheckedTaskView(TaskView):
    @in_transaction
    async def put(self, username: str, task_id: str) -> None:
        task = await self.find_task(username, task_id)
        fields = clean(self.form_data, TASK_FIELDS, partial=True)
        due = fields.get("due_date")
        if due is not None and due < date.today():
            raise ApiError(400, "some fields are missing or wrong", fields={"due_date": "must be today or later"})
        self.send({**task.to_dict(), **{name: str(value) if isinstance(value, date) else value for name, value in fields.items()}})
