"""Checks for the exercises of lesson 11 (the to-do app's pages: a template that escapes and pluralises, a language chooser).

Both use the translations of ``notebooks/todo/locale``, as lesson 11 left them (its gettext
catalogs, compiled by ``todo.i18n.load``). Example, in ``exercises/11-render-pages-in-four-languages.ipynb``::

    await labsupport.check("task-list-template", TaskList)
"""

from __future__ import annotations

import html
import re

import tornado.locale
import tornado.template
import tornado.web

from ..check import CheckFailed, requirement, task
from .support import learner_class, served
from .todo_app import LESSON_OF, todo_app

__all__: list[str] = []

LESSON_OF.setdefault("i18n", "11")
LESSON_OF.setdefault("web", "11")
_COUNT = re.compile(r'<(\w+)\b[^>]*\bid=["\']task-count["\'][^>]*>(.*?)</\1>', re.S)
_ITEM = re.compile(r"<li\b[^>]*>(.*?)</li>", re.S)


def _translations() -> None:
    """Load lesson 11's gettext catalogs: the check renders in English, German and Polish."""
    todo = todo_app("i18n")
    todo.i18n.load("gettext")


class _Page(tornado.web.RequestHandler):
    """GET /?name=a&name=b: a page of those tasks, ``{% module TaskList(tasks) %}``, in the browser's language."""

    def get(self) -> None:
        tasks = [_Task(number, name) for number, name in enumerate(self.get_query_arguments("name"), 1)]
        page = tornado.template.Template("<main>{% module TaskList(tasks) %}</main>", name="page.html")
        self.finish(page.generate(tasks=tasks, **self.get_template_namespace()))


class _Task:
    """A task as the module gets it: ``task.name``, ``task.completed``; printed whole, it is not its name."""

    def __init__(self, number: int, name: str) -> None:
        self.id, self.name, self.completed = number, name, False

    def __repr__(self) -> str:
        return f"<Task {self.id}>"


_IN_COUNT = 'write the count in <p id="task-count">...</p>.'


@task("task-list-template", requirements={
    "count-element": 'the count of tasks is in an element with id="task-count"',
    "every-task": "each task is an <li> whose text is the task's name",
    "escaped": "a task's name is escaped, so a task named <script> shows as text",
    "translated": "the count phrase is translated with _(), into the request's language",
    "plural": "the count phrase takes the plural form of its language for 1, 2 and 5 tasks",
})
async def task_list_template(answer) -> str:
    module = learner_class(answer, "TaskList", tornado.web.UIModule)
    _translations()
    async with served([(r"/", _Page)], ui_modules={"TaskList": module}) as site:
        async def page(names: list[str], code: str = "en_US") -> str:
            response = await site.get("/", params=[("name", name) for name in names],
                                      headers={"Accept-Language": code.replace("_", "-")})
            if response.status_code != 200:
                site.expect(response, 200, hint="TaskList.render(tasks) should return the HTML of the list.")
            return response.text

        def count(text: str) -> str:
            found = _COUNT.search(text)
            if found is None:
                raise CheckFailed(f'no element with id="task-count" in {text.strip()[:120]!r}. Hint: {_IN_COUNT}')
            return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", found.group(2))).strip()

        requirement("count-element")
        names = ["Buy milk", "Call Ada"]
        count(await page(names))
        requirement("every-task")
        items = [html.unescape(re.sub(r"<[^>]+>", "", item)).strip() for item in _ITEM.findall(await page(names))]
        if items != names:
            raise CheckFailed(f"for the tasks {names} the list items say {items}. Hint: one <li> per task, "
                              "{% for task in tasks %}<li>{{ task.name }}</li>{% end %}: a task printed whole "
                              "is its repr, not its name.")
        requirement("escaped")
        if "<script>" in await page(["<script>alert(1)</script>"]):
            raise CheckFailed("a task named <script>alert(1)</script> is in the page as a real script tag, which "
                              "a browser would run. Hint: {{ task.name }} escapes it; {% raw %}, "
                              "{% autoescape None %} and a name pasted into an f-string do not.")
        requirement("translated")
        german = count(await page(names, "de"))
        if german != "2 Aufgaben":
            raise CheckFailed(f"in German, 2 tasks are counted as {german!r}, expected '2 Aufgaben'. Hint: "
                              "translate with the request's locale, _=self.locale.translate, and the catalogs' "
                              'English text: _("%(count)d task", "%(count)d tasks", len(tasks)).')
        requirement("plural")
        wanted = {("en_US", 1): "1 task", ("en_US", 2): "2 tasks", ("en_US", 5): "5 tasks",
                  ("pl", 1): "1 zadanie", ("pl", 2): "2 zadania", ("pl", 5): "5 zadań"}
        for (code, number), phrase in wanted.items():
            got = count(await page([f"task {i}" for i in range(number)], code))
            if got != phrase:
                raise CheckFailed(f"in {tornado.locale.get(code).name}, {number} task(s) are counted as {got!r}, "
                                  f"expected {phrase!r}. Hint: give _() the singular, the plural and the count itself, "
                                  '_("%(count)d task", "%(count)d tasks", len(tasks)): each catalog picks the form '
                                  "by its own language's rule, and Polish has three.")
        if site.errors:
            raise CheckFailed(f"the pages were right, but your code raised {site.errors[-1]!r} on the way.")
    return ('the count is in #task-count, each task an escaped <li>; "1 task", "2 Aufgaben", '
            '"1 zadanie", "2 zadania", "5 zadań"')


@task("choose-language", requirements={
    "cookie": "a language cookie naming one of the app's languages wins over Accept-Language",
    "weights": "without a cookie, Accept-Language decides, by its weights",
    "unknown-cookie": "a cookie naming another language is ignored, and Accept-Language decides",
    "never-an-error": "a missing or malformed Accept-Language gives English with 200, never an error",
})
async def choose_language(answer) -> str:
    chooser = learner_class(answer, "LanguageChoice")
    _translations()

    class Probe(chooser):
        def get(self) -> None:
            self.write(self.locale.code)

    def ask(language: str | None = None, accept: str | None = None) -> dict:
        headers = {} if accept is None else {"Accept-Language": accept}
        if language is not None:
            headers["Cookie"] = f"language={language}"
        return headers

    async with served([(r"/", Probe)]) as site:
        async def expect(code: str, headers: dict, *, hint: str) -> None:
            site.expect(await site.get("/", headers=headers), 200, text=code,
                        hint=f"{hint} (asked with {headers or 'no headers'})")

        requirement("cookie")
        for code in ("de", "pl", "ja", "en_US"):
            await expect(code, ask(code, "fr-CH, ja;q=0.9" if code != "ja" else "de"),
                         hint='read the cookie with self.get_cookie("language") and return tornado.locale.get(code).')
        requirement("weights")
        for accept, code in (("fr-CH, de;q=0.9, en;q=0.8", "de"), ("en;q=0.5, pl;q=0.8", "pl"),
                             ("ja", "ja"), ("de;q=0.2, ja;q=0.7, pl;q=0.6", "ja")):
            await expect(code, ask(None, accept),
                         hint="return None when there is no cookie: then Tornado calls get_browser_locale(), "
                              "which orders Accept-Language by its q= weights.")
        requirement("unknown-cookie")
        for code in ("fr", "xx_YY", "zh_CN"):
            await expect("de", ask(code, "fr-CH, de;q=0.9, en;q=0.8"),
                         hint="tornado.locale.get() of a code the app has no translation for gives English, "
                              "not None; return None unless the code is in LANGUAGES, so that Accept-Language decides.")
        requirement("never-an-error")
        for accept in (None, "", "de;q=zz, ja;q=", ";;;,,,q=1", "xx-YY"):
            await expect("en_US", ask(None, accept),
                         hint="leave Accept-Language to Tornado's get_browser_locale(), which skips what it "
                              "cannot read; parsing it yourself breaks on a header like 'de;q=zz'.")
        if site.errors:
            raise CheckFailed(f"the answers were right, but your code raised {site.errors[-1]!r} on the way. Hint: "
                              "get_user_locale must return a Locale or None, and never raise.")
    return ("a cookie for de/pl/ja/en_US wins, an unknown one is ignored; Accept-Language by weight; "
            "no header, garbage or xx-YY → en_US")
