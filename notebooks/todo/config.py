"""The options of ``python -m todo``; each can also come from the environment in capitals."""

from tornado.options import define

from .app import LOCAL_HOSTS

# group "server": where main() listens; group "app": handed to make_app() as keywords
define("port", default=8888, help="port to listen on", group="server")
define("address", default="127.0.0.1", help="address to listen on (127.0.0.1: this machine only)",
       group="server")
define("hosts", default=LOCAL_HOSTS, help="host names the app answers to, as a regular expression",
       group="app")
define("database_url", default="sqlite+aiosqlite:///todo.db", help="SQLAlchemy URL of the database",
       group="app")
define("cookie_secret", default="", help="secret that signs login cookies (random when empty)",
       group="app")
define("translations", default="gettext", help="where the pages' translations come from: gettext or csv",
       group="app")
