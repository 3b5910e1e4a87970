"""Shared fixtures: every test ends with no server of ours left, and so does the whole run."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import psutil
import pytest

import labsupport

ROOT = Path(__file__).resolve().parent.parent


def run(coro, timeout: float = 20.0):
    """Run a coroutine on a fresh event loop, failing instead of hanging past ``timeout``."""
    return asyncio.run(asyncio.wait_for(coro, timeout))


def refused(port: int) -> bool:
    """True when nothing listens on 127.0.0.1:``port`` any more."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        return False
    except ConnectionRefusedError:
        return True


@pytest.fixture(autouse=True)
def _stop_servers_after_each_test():
    yield
    labsupport.stop_all()


def _leftovers() -> list[str]:
    me = psutil.Process()
    found = [f"child process {c.pid} ({' '.join(c.cmdline()[:4])})"
             for c in me.children(recursive=True) if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]
    found += [f"listening socket {c.laddr.ip}:{c.laddr.port}"
              for c in me.net_connections(kind="tcp") if c.status == psutil.CONN_LISTEN]
    return found


def pytest_sessionfinish(session, exitstatus):
    """Fail the run when it leaves a child process or a listening socket behind."""
    labsupport.stop_all()
    leftovers = _leftovers()
    if leftovers:
        print("\nThe test run leaked:\n  " + "\n  ".join(leftovers))
        session.exitstatus = 1
