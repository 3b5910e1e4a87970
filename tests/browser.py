"""Debian's Chromium for the browser tests: where it is, how to start it here, and whether it can run.

Playwright cannot download its own browsers on the course machines, so the tests drive
``/usr/bin/chromium`` (set ``CHROMIUM`` for another binary). Without it the tests skip, except
in CI (``TORNADO_LAB_CI=1``), where they fail. Example, in a test module::

    pytestmark = pytest.mark.usefixtures("browser_available")   # with the fixture below in scope
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

__all__ = ["CHROMIUM", "FLAGS", "missing_browser", "require"]

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# --headless=new and the rest: what Chromium needs as root on a machine with no network but loopback.
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def missing_browser() -> str | None:
    """Why the browser tests cannot run here (Playwright or Chromium missing), or None."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed (it is pinned in requirements.txt)"
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        return f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium; CI runs .ci/install-browser.sh)"
    return None


def require(reason: str | None) -> None:
    """Skip the test for ``reason``; in CI (TORNADO_LAB_CI=1) fail instead. Nothing when reason is None."""
    if reason and os.environ.get("TORNADO_LAB_CI") == "1":
        pytest.fail(f"browser tests cannot run in CI: {reason}")
    if reason:
        pytest.skip(reason)
