"""Serve the Tornado app made by a ``module:factory`` in this process, until SIGTERM or Ctrl-C.

``serve_process("mymodule:make_app")`` runs this in a separate process; from a terminal::

    python -m labsupport.servers.run_app mymodule:make_app --port 8000
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import importlib
import json
import os
import signal
import sys

import tornado.web
from tornado.httpserver import HTTPServer

__all__ = ["load_app", "main"]


def load_app(target: str, settings: dict | None = None) -> tornado.web.Application:
    """Import ``module:factory`` (factory defaults to ``make_app``) and call it with ``settings``."""
    module_name, _, attr = target.partition(":")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    module = importlib.import_module(module_name)
    factory = getattr(module, attr or "make_app")
    app = factory(**(settings or {}))
    if not isinstance(app, tornado.web.Application):
        raise TypeError(f"{target} returned {type(app).__name__}, not a tornado.web.Application")
    return app


async def _serve(app: tornado.web.Application, port: int, host: str) -> None:
    server = HTTPServer(app)
    server.listen(port, host)
    _watch(app, os.environ.get("LABSUPPORT_REQUEST_EVENTS"))
    print(f"listening on http://{host}:{port}/", flush=True)
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(sig, stopped.set)
        except NotImplementedError:  # Windows: Ctrl-C still raises KeyboardInterrupt
            pass
    await stopped.wait()
    server.stop()
    try:
        await asyncio.wait_for(server.close_all_connections(), 2)
    except asyncio.TimeoutError:
        pass


def _watch(app: tornado.web.Application, events: str | None) -> None:
    """Start the loop watchdog (its reports go to the log); with ``events``, write requests and reports there.

    ``serve_process`` passes ``events`` (a file's path), so that ``watch()`` in the kernel sees them.
    """
    from ..errors import WatchdogError
    from ..watch.loop_watchdog import watch_loop

    try:
        dog = watch_loop(show=False)
    except WatchdogError as error:  # a loop it cannot time (no selector): the server runs unwatched
        print(f"labsupport: no loop watchdog: {error}", file=sys.stderr)
        dog = None
    if not events:
        return
    from ..watch.request_log import write_events

    write_events(app, events)
    if dog is None:
        return
    reports = open(events, "a", buffering=1, encoding="utf-8")  # one line per write: O_APPEND keeps lines whole
    dog.on_report(lambda report: reports.write(json.dumps({"e": "block", "report": dataclasses.asdict(report)}) + "\n"))


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, build the app and serve it."""
    parser = argparse.ArgumentParser(prog="python -m labsupport.servers.run_app", description=__doc__)
    parser.add_argument("target", help="module:factory, e.g. myapp:make_app")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--settings", default="{}", help="JSON object passed to the factory")
    args = parser.parse_args(argv)
    app = load_app(args.target, json.loads(args.settings))
    try:
        asyncio.run(_serve(app, args.port, args.host))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
