"""Run the to-do app: ``python -m todo --port=8888`` (``python -m todo --help`` lists the options).

Each option can also come from the environment in capitals (``PORT=9000 python -m todo``); the
command line wins. Ctrl-C (or SIGTERM, except on Windows) stops listening, closes the open
connections and what the app opened, then exits.
"""

import asyncio
import logging
import os
import signal
import sys

from tornado.options import options, parse_command_line

from . import config, make_app  # noqa: F401  (importing config defines the options)


def parse_options(argv: list[str]) -> None:
    """Options from the environment first, then from the command line, which wins."""
    ours = [*options.group_dict("server"), *options.group_dict("app")]
    from_environment = [f"--{name}={os.environ[name.upper()]}" for name in ours if name.upper() in os.environ]
    parse_command_line([argv[0], *from_environment, *argv[1:]])


def first_line(exc: Exception) -> str:
    """The first line of an error: the reason, without the details some libraries add below it."""
    return (str(exc).splitlines() or [type(exc).__name__])[0]


async def wait_for_signal() -> None:
    """Return at Ctrl-C or SIGTERM. Windows has no loop signal handlers: Ctrl-C cancels main() there."""
    stop = asyncio.Event()
    try:
        for sig in (signal.SIGINT, signal.SIGTERM):
            asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    except NotImplementedError:
        pass
    await stop.wait()


async def main() -> None:
    try:  # a mistyped option, or a value make_app refuses
        parse_options(sys.argv)
        app = make_app(**options.group_dict("app"))
    except Exception as exc:
        sys.exit(f"todo: cannot start: {first_line(exc)}")
    try:
        await app.open()
        server = app.listen(options.port, options.address, max_body_size=1024 * 1024,
                            idle_connection_timeout=10, body_timeout=10)  # Tornado's: an hour, none
    except Exception as exc:  # a port in use, a database that refuses us: say which
        await app.close()
        sys.exit(f"todo: cannot start on {options.address}:{options.port}: {first_line(exc)}")
    logging.info("to-do app on http://%s:%d/", options.address, options.port)
    try:
        await wait_for_signal()
    finally:  # also when Ctrl-C cancels main() on Windows
        server.stop()
        await server.close_all_connections()
        await app.close()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:  # Windows: main() has cleaned up; asyncio.run re-raises Ctrl-C after it
        pass
