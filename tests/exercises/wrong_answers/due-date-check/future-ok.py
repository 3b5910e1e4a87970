# Wrong: <= instead of <, so a due date of today is refused as if it were past.
# Expect: not <=
class CheckedTaskView(TaskView):
    @in_transaction
    async def put(self, username: str, task_id: str) -> None:
        task = await self.find_task(username, task_id)
        fields = clean(self.form_data, TASK_FIELDS, partial=True)
        due = fields.get("due_date")
        if due is not None and due <= date.today():
            raise ApiError(400, "some fields are missing or wrong", fields={"due_date": "must be today or later"})
        for name, value in fields.items():
            setattr(task, name, value)
        self.send(task.to_dict())
