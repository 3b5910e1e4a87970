"""The pages at /web/: log in, see your tasks, add and complete them, in four languages."""

import datetime

import tornado.locale
import tornado.web
from sqlalchemy import select

from .accounts import ANY_PASSWORD, USERNAME
from .auth import AccountView
from .base import ApiError
from .i18n import LANGUAGES
from .models import Profile, Task
from .passwords import NO_ACCOUNT, check_password
from .tasks import TASK_FIELDS
from .validation import Field, clean

LANGUAGE_COOKIE = "todo_language"
NAME_COOKIE = "todo_name"  # whom the page asks AccountView.owner() about
NEW_TASK = {name: TASK_FIELDS[name] for name in ("name", "due_date")}  # what the page's form sends
DONE = Field(kind="bool", required=True)  # the "Done" button's form: without it, clean() says so


class TaskModule(tornado.web.UIModule):
    """``{% module Task(task) %}``: one task as a list item, with its "Done" button."""

    def render(self, task: Task) -> str:
        return self.render_string("modules/task.html", task=task)


class WebView(AccountView):
    """A page: HTML out, forms in. Same login cookie and rules as the API, plus an _xsrf token."""

    def set_default_headers(self) -> None:
        self.set_header("Content-Type", "text/html; charset=UTF-8")

    def prepare(self) -> None:
        """Called before get/post: a form must carry the _xsrf token of this browser's cookie."""
        if self.request.method == "POST":
            self.check_xsrf_cookie()  # only here: the JSON API's clients have no token to send
        super().prepare()  # the body's size, the form decoded into self.form_data
        self.form_data.pop("_xsrf", None)

    def get_user_locale(self) -> tornado.locale.Locale | None:
        """The language chosen on the page (a cookie), or None: then Accept-Language decides."""
        code = self.get_cookie(LANGUAGE_COOKIE)
        return tornado.locale.get(code) if code in LANGUAGES else None

    def get_template_namespace(self) -> dict:
        """What every template sees, on top of Tornado's _, locale, static_url, xsrf_form_html..."""
        namespace = super().get_template_namespace()
        namespace.update(languages=LANGUAGES, lang=self.locale.code.replace("_", "-"), due=self.due)
        return namespace

    def due(self, day: datetime.date) -> str:
        """A due date in the page's language: "December 24, 2026", "24. Dezember 2026"..."""
        midnight = datetime.datetime.combine(day, datetime.time())
        return self.locale.format_date(midnight, relative=False, full_format=True, shorter=True)

    async def show(self, profile: Profile | None, *, status: int = 200, **page) -> None:
        """Render the page: the login form, or ``profile``'s tasks; ``page`` adds errors and form values."""
        tasks = [] if profile is None else list(await self.session.scalars(
            select(Task).where(Task.owner_id == profile.id).order_by(Task.id)))
        self.set_status(status)
        page = {"profile": profile, "tasks": tasks, "problems": {}, "form": {}, "login_error": "", **page}
        self.render("tasks.html", **page)

    async def visitor(self) -> Profile | None:
        """Who is logged in, by the API's rules: AccountView.owner() of the name the login stored."""
        try:
            return await self.owner(self.get_cookie(NAME_COOKIE, ""))
        except ApiError:  # 401: nobody is logged in; 403: the name is not the login's
            return None

    async def logged_in(self) -> Profile:
        """The logged-in profile, or 401 (no login, a forged or stale one, an account gone)."""
        profile = await self.visitor()
        if profile is None:
            raise ApiError(401, self.locale.translate("Log in first."))
        return profile

    def log_in(self, profile: Profile) -> None:
        """AccountView's login cookie, and the name that visitor() asks owner() about."""
        super().log_in(profile)
        self.set_cookie(NAME_COOKIE, profile.username, expires_days=14, httponly=True, samesite="Strict")

    def log_out(self) -> None:
        super().log_out()
        self.clear_cookie(NAME_COOKIE)

    def checked(self, fields: dict) -> tuple[dict, dict]:
        """The form's values checked by the API's rules (validation.clean), and the problems found."""
        try:
            return clean(self.form_data, fields), {}
        except ApiError as error:
            return {}, error.fields

    def write_error(self, status_code: int, **kwargs) -> None:
        """Called by Tornado for every error: a page in the visitor's language, never a traceback."""
        error = kwargs.get("exc_info", (None, None))[1]
        message = (getattr(error, "message", None)
                   or (isinstance(error, tornado.web.HTTPError) and error.get_message()) or "")
        if status_code == 405:  # HTTP asks a 405 to say what is allowed, as the API's views do
            self.set_header("Allow", ", ".join(self.allowed_methods()))
        if status_code >= 500:
            message = "internal error: the request changed nothing; the server log has the details"
        self.render("error.html", status=status_code, message=message)


class PageView(WebView):
    """GET /web/: your tasks and a form for a new one, or the login form; POST adds a task."""

    async def get(self) -> None:
        await self.show(await self.visitor())

    async def post(self) -> None:
        async with self.session.begin():  # committed before the redirect says it worked
            profile = await self.logged_in()
            fields, problems = self.checked(NEW_TASK)
            if fields:
                self.session.add(Task(owner_id=profile.id, **fields))
        if problems:  # the page again, with each problem next to the form
            return await self.show(profile, status=400, problems=problems, form=self.form_data)
        self.redirect("/web/", status=303)  # "see other": a reload does not post the form again


class CompleteView(WebView):
    """POST /web/tasks/<id>: mark one of your tasks done (someone else's is 404, as in the API)."""

    async def post(self, task_id: str) -> None:
        async with self.session.begin():
            profile = await self.logged_in()
            task = await self.session.get(Task, int(task_id))
            if task is None or task.owner_id != profile.id:
                raise ApiError(404, f"no task {task_id} in your list")
            task.completed = clean(self.form_data, {"completed": DONE})["completed"]
        self.redirect("/web/", status=303)


class WebLoginView(WebView):
    """POST /web/login: check the password, set the login cookie, back to /web/."""

    async def post(self) -> None:
        try:
            fields = clean(self.form_data, {"username": USERNAME, "password": ANY_PASSWORD})
        except ApiError:
            fields = {"username": "", "password": ""}  # checked all the same: the answer takes as long
        async with self.session.begin():
            profile = await self.find_profile(fields["username"])
        stored = (profile.password_hash if profile else "") or NO_ACCOUNT
        if not await check_password(fields["password"], stored) or profile is None:
            error = self.locale.translate("Wrong username or password.")
            return await self.show(None, status=401, login_error=error)
        self.log_in(profile)
        self.redirect("/web/", status=303)


class WebLogoutView(WebView):
    """POST /web/logout: clear the login cookie."""

    def post(self) -> None:
        self.log_out()
        self.redirect("/web/", status=303)


class LanguageView(WebView):
    """POST /web/language: remember the language chosen on the page, in a cookie, for a year."""

    def post(self) -> None:
        code = self.form_data.get("language")
        if code not in LANGUAGES:
            raise ApiError(400, f"choose one of {', '.join(LANGUAGES)}")
        self.set_cookie(LANGUAGE_COOKIE, code, expires_days=365, httponly=True, samesite="Lax")
        self.redirect("/web/", status=303)


class StaticView(tornado.web.StaticFileHandler):
    """GET /static/<path>: files that never change under one URL, cached by browsers for ten years."""

    @classmethod
    def allowed_methods(cls) -> list[str]:
        return ["GET"]  # for GET / (InfoView), as the other views say theirs

    def write_error(self, status_code: int, **kwargs) -> None:
        if status_code == 405:
            self.set_header("Allow", ", ".join(self.allowed_methods()))
        super().write_error(status_code, **kwargs)
