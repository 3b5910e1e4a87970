# Wrong: the count is in a <p class="task-count">, which a style sheet can find but a test or a screen
# reader's "go to" cannot: the prompt asks for id="task-count".
# Expect: no element with id="task-count"
class TaskList(tornado.web.UIModule):
    def render(self, tasks) -> bytes:
        template = tornado.template.Template(
            '<p class="task-count">{{ _("%(count)d task", "%(count)d tasks", len(tasks)) % {"count": len(tasks)} }}</p>\n'
            "<ul>{% for task in tasks %}<li>{{ task.name }}</li>{% end %}</ul>")
        return template.generate(tasks=tasks, _=self.locale.translate)
