# Wrong: each item shows the task object itself, {{ task }}, so the page says "<Task 1>" (escaped),
# not the task's name.
# Expect: a task printed whole is its repr, not its name
class TaskList(tornado.web.UIModule):
    def render(self, tasks) -> bytes:
        template = tornado.template.Template(
            '<p id="task-count">{{ _("%(count)d task", "%(count)d tasks", len(tasks)) % {"count": len(tasks)} }}</p>\n'
            "<ul>{% for task in tasks %}<li>{{ task }}</li>{% end %}</ul>")
        return template.generate(tasks=tasks, _=self.locale.translate)
