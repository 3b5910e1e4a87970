# Wrong: compares a null due_date (which clears the date) with today, and crashes.
# Expect: is not None
class CheckedTaskView(TaskView):
    @in_transaction
    async def put(self, username: str, task_id: str) -> None:
        task = await self.find_task(username, task_id)
        fields = clean(self.form_data, TASK_FIELDS, partial=True)
        if "due_date" in fields and fields["due_date"] < date.today():
            raise ApiError(400, "some fields are missing or wrong", fields={"due_date": "must not be in the past"})
        for name, value in fields.items():
            setattr(task, name, value)
        self.send(task.to_dict())
