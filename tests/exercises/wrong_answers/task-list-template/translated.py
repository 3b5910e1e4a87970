# Wrong: pluralises by hand, in English, with {% if %}: right for English, and English for everyone.
# Expect: translate with the request's locale
class TaskList(tornado.web.UIModule):
    def render(self, tasks) -> bytes:
        template = tornado.template.Template(
            '<p id="task-count">{{ len(tasks) }} {% if len(tasks) == 1 %}task{% else %}tasks{% end %}</p>\n'
            "<ul>{% for task in tasks %}<li>{{ task.name }}</li>{% end %}</ul>")
        return template.generate(tasks=tasks, _=self.locale.translate)
