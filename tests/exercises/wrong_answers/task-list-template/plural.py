# Wrong: picks the form by the English rule, passing 1 or 2 as the count: right in English and German,
# but Polish 5 tasks becomes "5 zadania" instead of "5 zadań".
# Expect: give _() the singular, the plural and the count itself
class TaskList(tornado.web.UIModule):
    def render(self, tasks) -> bytes:
        template = tornado.template.Template(
            '<p id="task-count">{{ _("%(count)d task", "%(count)d tasks", 1 if len(tasks) == 1 else 2)'
            ' % {"count": len(tasks)} }}</p>\n'
            "<ul>{% for task in tasks %}<li>{{ task.name }}</li>{% end %}</ul>")
        return template.generate(tasks=tasks, _=self.locale.translate)
