# Wrong: sets the fields first, then writes the error by hand instead of raising ApiError, so the
# transaction commits the request's other fields.
# Expect: was refused, but it changed the task
class CheckedTaskView(TaskView):
    @in_transaction
    async def put(self, username: str, task_id: str) -> None:
        task = await self.find_task(username, task_id)
        fields = clean(self.form_data, TASK_FIELDS, partial=True)
        due = fields.get("due_date")
        for name, value in fields.items():
            setattr(task, name, value)
        if due is not None and due < date.today():
            self.send({"error": {"status": 400, "message": "some fields are missing or wrong",
                                 "fields": {"due_date": "must be today or later"}}}, status=400)
            return
        self.send(task.to_dict())
