"""Run the to-do app: ``python -m todo --port=8888 --database_url=sqlite+aiosqlite:///todo.db``.

Each option can also come from the environment in capitals (``DATABASE_URL=... python -m todo``);
the command line wins. Ctrl-C (or SIGTERM, except on Windows) stops listening, closes the open
connections and the database, then exits.
"""

import asyncio
import logging
import os
import signal
import sys

from sqlalchemy.engine import make_url
from tornado.options import define, options, parse_command_line

from . import make_app
from .app import LOCAL_HOSTS

define("port", default=8888, help="port to listen on")
define("address", default="127.0.0.1", help="address to listen on (127.0.0.1: this machine only)")
define("database_url", default="sqlite+aiosqlite:///todo.db", help="SQLAlchemy URL of the database")
define("cookie_secret", default="", help="secret that signs login cookies (random when empty)")
define("hosts", default=LOCAL_HOSTS, help="host names the app answers to, as a regular expression")
OURS = ("port", "address", "database_url", "cookie_secret", "hosts")


def parse_options(argv: list[str]) -> None:
    """Options from the environment first, then from the command line, which wins."""
    from_environment = [f"--{name}={os.environ[name.upper()]}" for name in OURS if name.upper() in os.environ]
    parse_command_line([argv[0], *from_environment, *argv[1:]])


def first_line(exc: Exception) -> str:
    """The first line of an error (SQLAlchemy adds a second one with a link)."""
    return (str(exc).splitlines() or [type(exc).__name__])[0]


async def main() -> None:
    try:  # a mistyped option, not a URL, or a driver that is not async (sqlite:// for sqlite+aiosqlite://)
        parse_options(sys.argv)
        shown_url = make_url(options.database_url).render_as_string(hide_password=True)
        app = make_app(database_url=options.database_url, cookie_secret=options.cookie_secret,
                       hosts=options.hosts)
    except Exception as exc:
        sys.exit(f"todo: cannot start: {first_line(exc)}")
    try:
        await app.database.create_tables()
        server = app.listen(options.port, options.address, max_body_size=1024 * 1024,
                            idle_connection_timeout=10, body_timeout=10)  # Tornado's: an hour, none
    except Exception as exc:  # a database that is down or refuses us, a port in use: say which
        await app.database.close()
        await asyncio.sleep(0.2)  # aiosqlite stops a failed connection's thread without waiting for it (#241)
        sys.exit(f"todo: cannot start on {options.address}:{options.port} with {shown_url}: {first_line(exc)}")
    logging.info("to-do app on http://%s:%d/ with %s", options.address, options.port, shown_url)
    stop = asyncio.Event()
    try:
        for sig in (signal.SIGINT, signal.SIGTERM):
            asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    except NotImplementedError:  # Windows: Ctrl-C cancels main() instead, and the finally below runs
        pass
    try:
        await stop.wait()
    finally:
        server.stop()
        await server.close_all_connections()
        await app.database.close()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:  # Windows: main() has cleaned up; asyncio.run re-raises Ctrl-C after it
        pass
