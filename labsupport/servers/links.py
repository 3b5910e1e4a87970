"""Browser links to local servers, direct on a laptop and through jupyter-server-proxy on a hub.

Example::

    from labsupport.servers.links import browser_url
    browser_url(8888)          # 'http://127.0.0.1:8888/' locally
                               # '/user/ada/proxy/8888/' on JupyterHub or Binder
"""

from __future__ import annotations

import html
import importlib.util
import os
from typing import Literal

__all__ = ["ServerStatus", "browser_url", "link_html", "local_url", "proxy_available", "proxy_prefix"]


def proxy_prefix() -> str | None:
    """Return the Jupyter server's URL prefix when links must go through its proxy, else None.

    ``LABSUPPORT_PROXY_PREFIX`` wins (set it to ``/`` for a proxied local server); otherwise
    JupyterHub and Binder set ``JUPYTERHUB_SERVICE_PREFIX`` (e.g. ``/user/ada/``).
    """
    prefix = os.environ.get("LABSUPPORT_PROXY_PREFIX") or os.environ.get("JUPYTERHUB_SERVICE_PREFIX")
    if not prefix:
        return None
    return prefix if prefix.endswith("/") else prefix + "/"


def proxy_available() -> bool:
    """Whether jupyter-server-proxy is importable here (it must run in the Jupyter server)."""
    return importlib.util.find_spec("jupyter_server_proxy") is not None


def local_url(host: str, port: int, path: str = "/") -> str:
    """The URL for code on this machine, e.g. ``local_url("::1", 8000)`` is ``http://[::1]:8000/``."""
    path = path if path.startswith("/") else "/" + path
    shown = "127.0.0.1" if host in ("0.0.0.0", "", "::") else host
    if ":" in shown:  # an IPv6 literal needs brackets in a URL
        shown = f"[{shown}]"
    return f"http://{shown}:{port}{path}"


def browser_url(port: int, path: str = "/", *, host: str = "127.0.0.1") -> str:
    """The URL a learner's browser should open to reach a server on ``port`` of this machine."""
    prefix = proxy_prefix()
    if prefix is not None:
        return f"{prefix}proxy/{port}{path if path.startswith('/') else '/' + path}"
    return local_url(host, port, path)


ServerStatus = Literal["starting", "listening", "running", "stopping", "stopped"]
"""What a server's ``status`` says: a ``Server`` is listening, a ``ServerProcess`` starting or running."""

_STATUS_COLOURS = {"listening": "#1a7f37", "running": "#1a7f37", "starting": "#9a6700", "stopping": "#9a6700"}


def link_html(name: str, url: str, status: ServerStatus, *, kind: str = "") -> str:
    """One line of HTML for a server: bold name, a link that opens in a new tab, coloured status."""
    colour = _STATUS_COLOURS.get(status, "#6e7781")
    link = html.escape(url)
    kind = f" ({html.escape(kind)})" if kind else ""
    return (f'<div><b>{html.escape(name)}</b>{kind} · <a href="{link}" target="_blank">{link}</a>'
            f' · <span style="color:{colour}">{html.escape(status)}</span></div>')
