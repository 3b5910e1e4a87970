# Wrong: refuses a past date with a 400 that does not say which field is wrong.
# Expect: with no message for the field 'due_date'
class CheckedTaskView(TaskView):
    @in_transaction
    async def put(self, username: str, task_id: str) -> None:
        task = await self.find_task(username, task_id)
        fields = clean(self.form_data, TASK_FIELDS, partial=True)
        due = fields.get("due_date")
        if due is not None and due < date.today():
            raise ApiError(400, "the due date is in the past")
        for name, value in fields.items():
            setattr(task, name, value)
        self.send(task.to_dict())
