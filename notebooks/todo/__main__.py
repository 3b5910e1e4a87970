"""Run the to-do app: ``python -m todo --port=8888`` (``python -m todo --help`` lists the options).

Each option can also come from the environment in capitals (``PORT=9000 python -m todo``); the
command line wins. ``--processes=2`` starts two processes that share the port (0: one per core;
not on Windows). Ctrl-C or SIGTERM stops listening, lets the requests in progress finish for up
to ``--shutdown_timeout`` seconds, closes what is left and what the app opened, then exits.
"""

import asyncio
import logging
import os
import signal
import sys

from tornado.httpserver import HTTPServer
from tornado.log import LogFormatter
from tornado.netutil import bind_sockets
from tornado.options import define, options, parse_command_line
from tornado.process import fork_processes, task_id

from . import config, make_app  # noqa: F401  (importing config defines the options)

# How the process runs: options that only start() and main() read, so they are defined next to them.
define("processes", default=1, help="processes sharing the port (0: one per core; not on Windows)",
       group="server")
define("shutdown_timeout", default=10.0, help="seconds the requests in progress get to finish at a stop",
       group="server")
define("xheaders", default=False, help="take the client's address and scheme from a proxy's X-Real-Ip "
       "and X-Forwarded-Proto headers (only behind a proxy that sets them)", group="server")


def parse_options(argv: list[str]) -> None:
    """Options from the environment first, then from the command line, which wins."""
    ours = [*options.group_dict("server"), *options.group_dict("app")]
    from_environment = [f"--{name}={os.environ[name.upper()]}" for name in ours if name.upper() in os.environ]
    parse_command_line([argv[0], *from_environment, *argv[1:]])


def first_line(exc: Exception) -> str:
    """The first line of an error: the reason, without the details some libraries add below it."""
    return (str(exc).splitlines() or [type(exc).__name__])[0]


def log_process_ids() -> None:
    """Put the process id in every log line, so that with --processes each line says whose it is."""
    line = "%(color)s[%(levelname)1.1s %(asctime)s pid %(process)d %(module)s]%(end_color)s %(message)s"
    for handler in logging.getLogger().handlers:  # the one parse_command_line set up
        handler.setFormatter(LogFormatter(fmt=line, color=not isinstance(handler, logging.FileHandler)))


def check_options() -> None:
    """Refuse values that parse but make no sense, before anything starts."""
    if not 0 <= options.processes <= 64:
        raise ValueError(f"--processes={options.processes}: give 1 to 64, or 0 for one per core")
    if options.processes != 1 and sys.platform == "win32":
        raise ValueError("--processes: Windows cannot fork; use --processes=1")
    if not 0 <= options.shutdown_timeout <= 3600:
        raise ValueError(f"--shutdown_timeout={options.shutdown_timeout:g}: give 0 to 3600 seconds")


def stop_workers(signum, frame) -> None:
    """In the parent of --processes: pass SIGTERM on to the workers, when they are all its group holds."""
    signal.signal(signum, signal.SIG_IGN)  # the group includes this process
    if os.getpgrp() == os.getpid():  # else the group is a script's too: signal the group from outside
        os.killpg(os.getpgrp(), signum)


async def wait_for_signal() -> None:
    """Return at Ctrl-C or SIGTERM. Windows has no loop signal handlers: Ctrl-C cancels main() there."""
    stop = asyncio.Event()
    try:
        for sig in (signal.SIGINT, signal.SIGTERM):
            asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    except NotImplementedError:
        pass
    await stop.wait()


async def drain(server: HTTPServer, app, timeout: float) -> None:
    """Stop accepting; let the requests in progress finish for up to ``timeout`` s; close the rest."""
    server.stop()  # the listening sockets close: new connections are refused
    server.conn_params.no_keep_alive = True  # requests that arrive from now on: "Connection: close"
    in_progress = getattr(app, "in_progress", ())  # empty for an app.py from before lesson 12
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while in_progress and loop.time() < deadline:
        await asyncio.sleep(0.02)
    if in_progress:
        logging.warning("%d requests still in progress after %g s: closing them", len(in_progress), timeout)
    await server.close_all_connections()  # the idle ones, and those that ran out of time
    await app.close()


async def main(sockets) -> None:
    try:  # a value make_app refuses
        app = make_app(**options.group_dict("app"))
        await app.open()
    except Exception as exc:  # a database that refuses us: say which
        sys.exit(f"todo: cannot start: {first_line(exc)}")
    server = HTTPServer(app, xheaders=options.xheaders, max_body_size=1024 * 1024,
                        idle_connection_timeout=10, body_timeout=10)  # Tornado's: an hour, none
    server.add_sockets(sockets)
    worker = "" if task_id() is None else f" (worker {task_id()})"  # None: no fork
    logging.info("to-do app on http://%s:%d/%s", options.address, options.port, worker)
    try:
        await wait_for_signal()
    finally:  # also when Ctrl-C cancels main() on Windows
        await drain(server, app, options.shutdown_timeout)


def start() -> None:
    """Parse the options, bind the port, fork if asked, then run main() in each process."""
    try:  # a mistyped option, or a value that makes no sense
        parse_options(sys.argv)
        log_process_ids()
        check_options()
    except Exception as exc:
        sys.exit(f"todo: cannot start: {first_line(exc)}")
    try:  # bound once, here: every worker accepts on these sockets
        sockets = bind_sockets(options.port, options.address)
    except OSError as exc:  # a port in use: say which
        sys.exit(f"todo: cannot start on {options.address}:{options.port}: {first_line(exc)}")
    if options.processes != 1:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches every process of the group
        signal.signal(signal.SIGTERM, stop_workers)  # each worker's main() sets its own handlers
        try:  # no event loop may exist yet: each worker makes its own, and its own database engine
            fork_processes(options.processes, max_restarts=3)  # returns only in the workers
        except RuntimeError as exc:  # "Too many child restarts": the workers said why above
            stop_workers(signal.SIGTERM, None)
            sys.exit(f"todo: {exc}")
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a worker: the parent's handlers are not its own
        signal.signal(signal.SIGINT, signal.default_int_handler)
    asyncio.run(main(sockets))


if __name__ == "__main__":
    try:
        start()
    except KeyboardInterrupt:  # Windows: main() has cleaned up; asyncio.run re-raises Ctrl-C after it
        pass
