"""make_app: the routes of the to-do API and its pages, and the settings every view reads."""

import asyncio
import secrets
import weakref
from pathlib import Path

import tornado.web
from tornado.log import access_log
from tornado.routing import HostMatches

from . import i18n
from .accounts import LoginView, LogoutView, ProfileView, RegisterView
from .base import NotFoundView
from .database import Database
from .info import HealthView, InfoView
from .tasks import TaskListView, TaskView
from .web import (CompleteView, LanguageView, PageView, StaticView, TaskModule, WebLoginView,
                  WebLogoutView)

HERE = Path(__file__).parent

# This machine's own names. Tornado adds only a "$", so the group matters: without it,
# "localhost.evil.example" would match. A wider pattern opens the door to DNS rebinding.
LOCAL_HOSTS = r"(localhost|127\.0\.0\.1|\[::1\])"
USER = r"(?P<username>[A-Za-z0-9_.-]{1,40})"

ROUTES = [
    (r"/", InfoView),
    (r"/health", HealthView),
    (r"/api/v1/accounts", RegisterView),
    (r"/api/v1/accounts/login", LoginView),
    (r"/api/v1/accounts/logout", LogoutView),
    (rf"/api/v1/accounts/{USER}", ProfileView),
    (rf"/api/v1/accounts/{USER}/tasks", TaskListView),
    (rf"/api/v1/accounts/{USER}/tasks/(?P<task_id>[0-9]{{1,18}})", TaskView),
]

PAGES = [  # for browsers: HTML pages, their forms, and the files they use
    (r"/web/", PageView),
    (r"/web/login", WebLoginView),
    (r"/web/logout", WebLogoutView),
    (r"/web/language", LanguageView),
    (r"/web/tasks/(?P<task_id>[0-9]{1,18})", CompleteView),
    (r"/static/(?P<path>.*)", StaticView, {"path": HERE / "static"}),
]


class TodoApp(tornado.web.Application):
    """An Application with a database, which main() opens before it listens and closes after."""

    database: Database

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The requests a view is working on; a weak set forgets one whose client left mid-body.
        self.in_progress: weakref.WeakSet = weakref.WeakSet()

    def get_handler_delegate(self, request, *args, **kwargs):
        """Called for each request, when Tornado has chosen its view: it is in progress now."""
        self.in_progress.add(request)
        return super().get_handler_delegate(request, *args, **kwargs)

    def log_request(self, handler: tornado.web.RequestHandler) -> None:
        """Called when a view has finished its answer: the request is done. Log it in one line."""
        self.in_progress.discard(handler.request)
        if "log_function" in self.settings:  # Tornado's setting for another log (the tests use it)
            return self.settings["log_function"](handler)
        request, status = handler.request, handler.get_status()
        log = access_log.info if status < 400 else access_log.warning if status < 500 else access_log.error
        log("%d %s %s://%s%s from %s %.1fms", status, request.method, request.protocol, request.host,
            request.uri, request.remote_ip, 1000 * request.request_time())

    async def open(self) -> None:
        """Create the tables that do not exist yet (existing data is kept)."""
        try:
            try:
                await self.database.create_tables()
            except Exception:  # with --processes, another one may create a table between our check and ours
                await self.database.engine.dispose()  # a new connection, which sees the other's tables
                await asyncio.sleep(0.1)
                await self.database.create_tables()
        except Exception as exc:  # say which database; aiosqlite needs a moment to stop its thread (#241)
            await self.close()
            await asyncio.sleep(0.2)
            raise RuntimeError(f"the database {self.database} did not open: {exc}") from None

    async def close(self) -> None:
        await self.database.close()


def make_app(*, database_url: str = "sqlite+aiosqlite:///todo.db", cookie_secret: str = "",
             hosts: str = LOCAL_HOSTS, max_body_bytes: int = 64 * 1024, translations: str = "gettext",
             **settings) -> TodoApp:
    """The to-do app on ``database_url``; ``await app.open()`` before serving, ``await app.close()`` after.

    ``translations``: "gettext" (the catalogs in locale/, compiled here) or "csv" (locale/csv/).
    """
    i18n.load(translations)  # a broken translation file stops the start here, naming its line

    app = TodoApp(
        [(HostMatches(hosts), ROUTES + PAGES)],  # other host names find no route
        default_handler_class=NotFoundView,  # unknown paths and hosts get a JSON error too
        hosts=hosts,
        cookie_secret=cookie_secret or secrets.token_hex(32),  # random: logins end at a restart
        max_body_bytes=max_body_bytes,
        cross_origin_protection=True,  # a write from a page of another origin gets 403 (lesson 10)
        template_path=HERE / "templates",
        ui_modules={"Task": TaskModule},
        **settings,
    )

    # Set after the app is made: given to TodoApp(), Tornado would add its own /static/ route in
    # front of the host check. static_url() reads this setting; StaticView serves the files.
    app.settings["static_path"] = HERE / "static"
    app.database = Database(database_url)
    return app
