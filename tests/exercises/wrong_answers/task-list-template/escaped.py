# Wrong: {% raw task.name %} "to keep the names as typed": a task named <script> runs in the browser.
# Expect: {{ task.name }} escapes it
class TaskList(tornado.web.UIModule):
    def render(self, tasks) -> bytes:
        template = tornado.template.Template(
            '<p id="task-count">{{ _("%(count)d task", "%(count)d tasks", len(tasks)) % {"count": len(tasks)} }}</p>\n'
            "<ul>{% for task in tasks %}<li>{% raw task.name %}</li>{% end %}</ul>")
        return template.generate(tasks=tasks, _=self.locale.translate)
