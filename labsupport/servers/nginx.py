"""Run a real nginx in front of lesson servers: a reverse proxy, static files and TLS, all unprivileged.

Example, in a lesson cell::

    import labsupport
    todo = labsupport.serve_todo(database="lesson-12.db", fresh=True)
    proxy = labsupport.serve_nginx(todo, static="todo/static", tls=True)
    proxy.url            # 'http://127.0.0.1:41234/'  (nginx, passing requests on to todo)
    proxy.https_url      # 'https://127.0.0.1:41235/' (nginx ends TLS; trust proxy.certificate)
    print(proxy.config)  # the nginx.conf it runs
    proxy.stop()         # or labsupport.stop_all(); re-running the cell replaces it

nginx runs as ``nginx -p PREFIX`` in a temporary folder that holds all it writes (pid, logs, temporary
files, the certificate), under ``serve_process``'s supervisor: it never outlives the kernel.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Union

from . import registry
from ..errors import NginxError, NginxMissingError, PortInUseError
from .links import link_html
from .processes import ServerProcess, _port_taken as _answers
from .serving import Server

__all__ = ["INSTALL_COMMAND", "NginxProcess", "Upstream", "nginx_available", "serve_nginx"]

Upstream = Union[int, ServerProcess, Server]  # or anything else with .host and .port
HOST = "127.0.0.1"
_EXTRA_DIRS = ("/usr/sbin", "/usr/local/sbin", "/usr/local/bin", "/opt/homebrew/bin")  # not on every PATH
INSTALL_COMMAND = "sudo apt install {0} (Debian, Ubuntu) or brew install {0} (macOS)"
_TYPES = {"text/html": "html htm", "text/css": "css", "text/plain": "txt", "application/javascript": "js",
          "application/json": "json", "image/png": "png", "image/jpeg": "jpg jpeg", "image/svg+xml": "svg",
          "image/x-icon": "ico", "font/woff2": "woff2"}


class NginxProcess(ServerProcess):
    """nginx in its own process group and temporary folder; made by :func:`serve_nginx`."""

    def __init__(self, *, name: str, popen: subprocess.Popen, ports: tuple[int, int | None], prefix: Path,
                 config: str, certificate: Path | None, origin: registry.Origin) -> None:
        super().__init__(name=name, popen=popen, host=HOST, port=ports[0], log_path=prefix / "supervisor.log",
                         origin=origin)
        self.https_port, self.prefix, self.config, self.certificate = ports[1], prefix, config, certificate
        self._final_access_log: str | None = None

    @property
    def https_url(self) -> str | None:
        """The TLS URL, e.g. ``https://127.0.0.1:41235/``; None unless started with ``tls=True``."""
        return None if self.https_port is None else f"https://{HOST}:{self.https_port}/"

    def logs(self) -> str:
        """nginx's error log (warnings and errors), also after it stopped."""
        return self._final_log if self._final_log is not None else _read(self.prefix / "error.log")

    def access_log(self) -> str:
        """nginx's access log so far: one line per request, with the upstream that answered it."""
        return self._final_access_log if self._final_access_log is not None else _read(self.prefix / "access.log")

    def stop(self, *, timeout: float = 5.0) -> None:
        """SIGQUIT nginx (finish the requests in flight), then stop what is left; delete the folder."""
        if self.status == "stopped":
            return
        try:
            os.kill(int(_read(self.prefix / "nginx.pid")), getattr(signal, "SIGQUIT", signal.SIGTERM))
            self._popen.wait(timeout=timeout)  # the supervisor exits once nginx has
        except (ValueError, OSError, subprocess.TimeoutExpired):
            pass  # no pid file yet, or nginx is gone or stuck: the group signals below do the rest
        self._final_access_log = self.access_log()
        super().stop(timeout=1.0)  # forgets it, and ends the supervisor and anything left in the group
        shutil.rmtree(self.prefix, ignore_errors=True)

    def _wait_until_listening(self, timeout: float) -> str | None:
        """Wait until nginx answers (its pid file says it bound the ports); else stop, and say why."""
        problem, deadline = f"no answer on port {self.port} within {timeout:g} s", time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                if self._popen.poll() is not None:
                    problem = _first_emerg(self.logs() + "\n" + _read(self._log_path))
                    break
                if _read(self.prefix / "nginx.pid").strip() and all(
                        _answers(HOST, p) for p in (self.port, self.https_port) if p is not None):
                    self.status = "running"
                    return None
                time.sleep(0.02)
        finally:
            if self.status != "running":
                self.stop()
        return problem

    def __repr__(self) -> str:
        return f"NginxProcess({self.name!r}, {self.url!r}, {self.status})"

    def _repr_html_(self) -> str:
        return link_html(self.name, self.browser_url, self.status, kind="nginx, separate process")


def nginx_available() -> str | None:
    """nginx's version line (``'nginx version: nginx/1.22.1'``), or None when it is not installed."""
    try:  # nginx -v writes to stderr
        result = subprocess.run([_find("nginx") or "nginx", "-v"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return (result.stderr + result.stdout).strip() or None if result.returncode == 0 else None


def serve_nginx(upstream: Upstream | Sequence[Upstream], *, static: str | os.PathLike | None = None,
                tls: bool = False, name: str = "nginx", port: int = 0, https_port: int = 0,
                ready_timeout: float = 10.0) -> NginxProcess:
    """Start nginx on 127.0.0.1 as a reverse proxy to ``upstream``; wait until it answers.

    ``upstream``: a server process (``serve_todo()``), a ``Server`` from ``serve()``, a port, or a
    list of them, which nginx takes turns with. Requests go on with the client's address and
    scheme in ``X-Real-IP``, ``X-Forwarded-For`` and ``X-Forwarded-Proto`` (Tornado reads them with
    ``xheaders=True``); websockets pass through. nginx serves the folder ``static`` itself under
    ``/static/``. ``tls=True`` adds an HTTPS port, with a certificate for 127.0.0.1 and localhost::

        httpx.get(proxy.https_url, verify=ssl.create_default_context(cafile=proxy.certificate))

    ``port`` and ``https_port`` are picked free unless given. Re-running the cell replaces it.
    """
    if (executable := _find("nginx")) is None:
        raise NginxMissingError(f"nginx is not installed: {INSTALL_COMMAND.format('nginx')}")
    servers = _upstreams(upstream)
    static_dir = None if static is None else Path(static).resolve()
    if static_dir is not None and not static_dir.is_dir():
        raise NginxError(f"The static folder {static_dir} does not exist (or is not a folder): give static= "
                         f"a folder relative to {Path.cwd()}, or an absolute path.")
    origin = registry.current_origin()
    name = registry.claim(name, origin)  # first: a re-run's earlier nginx may hold a fixed port
    fixed = [p for p in (port, https_port if tls else 0) if p]
    try:
        for taken in (p for p in fixed if _answers(HOST, p)):
            raise PortInUseError(f"Port {taken} on {HOST} is already in use. Use port=0 to let the system pick.")
        for attempt in range(3):  # another process may take a free port before nginx binds it
            free = iter(_free_ports(2))
            process = _start(executable, name=name, origin=origin, servers=servers, static_dir=static_dir,
                             ports=(port or next(free), (https_port or next(free)) if tls else None))
            problem = process._wait_until_listening(ready_timeout)
            if problem is None:
                break
            if "Address already in use" in problem and fixed:
                raise PortInUseError(f"nginx could not listen: {problem}. Use port=0 to let the system pick.")
            if "Address already in use" not in problem or attempt == 2:
                raise NginxError(f"nginx did not start: {problem}")
    except BaseException:
        registry.release(name)
        raise
    registry.add(process)
    return process


def _start(executable: str, *, name: str, origin: registry.Origin, servers: list[str], static_dir: Path | None,
           ports: tuple[int, int | None]) -> NginxProcess:
    """Write the certificate and nginx.conf into a new temporary folder, and start nginx there."""
    prefix = Path(tempfile.mkdtemp(prefix="labsupport-nginx-")).resolve()
    certificate = None if ports[1] is None else _make_certificate(prefix)
    config = _config(servers=servers, port=ports[0], https_port=ports[1], static_dir=static_dir)
    (prefix / "nginx.conf").write_text(config)
    with open(prefix / "supervisor.log", "wb") as log:
        popen = subprocess.Popen(
            [sys.executable, "-m", "labsupport.servers.supervise", "--", executable, "-p", f"{prefix}/",
             "-c", str(prefix / "nginx.conf"), "-e", str(prefix / "error.log"), "-g", "daemon off;"],
            cwd=prefix, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=hasattr(os, "killpg"))
    return NginxProcess(name=name, popen=popen, ports=ports, prefix=prefix, config=config,
                        certificate=certificate, origin=origin)


def _config(*, servers: list[str], port: int, https_port: int | None, static_dir: Path | None) -> str:
    """nginx.conf: relative paths are in the prefix; the static folder is a JSON string (one nginx word)."""
    user = ""
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # else its workers run as nobody, who may not read static
        import grp, pwd  # noqa: E401  (POSIX only)
        user = f"user {pwd.getpwuid(os.geteuid()).pw_name} {grp.getgrgid(os.getegid()).gr_name};\n"
    types = "".join(f"        {mime} {ext};\n" for mime, ext in _TYPES.items())
    # nginx makes each of these folders at start, so all five must be ours, used or not.
    temp_paths = "".join(f"    {kind}_temp_path {kind}_temp;\n"
                         for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    upstream = "".join(f"        server {address};\n" for address in servers)
    listen = f"        listen {HOST}:{port};\n"
    if https_port is not None:
        listen += (f"        listen {HOST}:{https_port} ssl;\n        ssl_certificate cert.pem;\n"
                   "        ssl_certificate_key key.pem;\n        ssl_protocols TLSv1.2 TLSv1.3;\n")
    static = "" if static_dir is None else (
        f"        location /static/ {{\n            alias {json.dumps(f'{static_dir}/', ensure_ascii=False)};\n"
        "        }\n\n")
    return f"""# Made by labsupport.serve_nginx(); relative paths are inside the prefix folder (nginx -p).
worker_processes 1;
{user}pid nginx.pid;
error_log error.log warn;
worker_shutdown_timeout 3s;  # a graceful stop closes open websockets after 3 s

events {{}}

http {{
    types {{
{types}    }}
    default_type application/octet-stream;
    log_format upstream '$remote_addr [$time_local] "$request" $status $body_bytes_sent upstream=$upstream_addr';
    access_log access.log upstream;
{temp_paths}
    # A websocket handshake asks to upgrade the connection; every other request closes it.
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        ''      close;
    }}

    upstream app {{
{upstream}    }}

    server {{
{listen}
{static}        location / {{
            proxy_pass http://app;
            proxy_http_version 1.1;
            proxy_set_header Host $http_host;  # with the port: the browser's Origin must match it
            proxy_set_header X-Real-IP $remote_addr;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Scheme $scheme;  # Tornado reads X-Scheme first: never the client's own
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_read_timeout 1h;  # a quiet websocket stays open
        }}
    }}
}}
"""


def _upstreams(upstream) -> list[str]:
    """``host:port`` of each upstream; raises when one is not a server, or nothing answers there."""
    addresses = []
    for item in list(upstream) if isinstance(upstream, (list, tuple)) else [upstream]:
        if isinstance(item, int) and not isinstance(item, bool):
            host, port, label = HOST, item, ""
        elif isinstance(getattr(item, "port", None), int):
            host, port, label = getattr(item, "host", HOST), item.port, f" ({getattr(item, 'name', item)})"
            host = HOST if host in ("", "0.0.0.0", "::", "localhost") else host
        else:
            raise NginxError(f"serve_nginx() cannot send requests to {item!r}: give a server process, a "
                             "Server from serve(), a port number, or a list of them.")
        address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        if not _answers(host, port):
            raise NginxError(f"Nothing answers on {address}{label}, where nginx would send requests: start "
                             "that server first, or check that it is still running.")
        addresses.append(address)
    return addresses


def _make_certificate(prefix: Path) -> Path:
    """A self-signed certificate for localhost and 127.0.0.1, valid for a day (deletes ``prefix`` if not)."""
    openssl = _find("openssl")
    result = None if openssl is None else subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", "key.pem", "-out", "cert.pem", "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        cwd=prefix, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
    if result is None or result.returncode != 0:
        shutil.rmtree(prefix, ignore_errors=True)
        raise NginxError(f"openssl is not installed, and tls=True needs it: {INSTALL_COMMAND.format('openssl')}"
                         if result is None else
                         f"openssl could not make a certificate: {(result.stderr.strip() or '?').splitlines()[-1]}")
    return prefix / "cert.pem"


def _find(tool: str) -> str | None:
    return shutil.which(tool) or shutil.which(tool, path=os.pathsep.join(_EXTRA_DIRS))


def _first_emerg(log: str) -> str:
    """The first ``[emerg]`` line without its time and pid, e.g. ``unknown "x" variable``."""
    match = re.search(r"\[emerg\] (?:\d+#\d+: )?(.*)", log)  # . stops at the line's end
    tail = [line for line in log.splitlines() if line.strip()] or ["(nothing)"]
    return match.group(1).strip() if match else f"it exited, and its log ends with: {tail[-1]}"


def _free_ports(count: int) -> list[int]:
    sockets = [socket.create_server((HOST, 0)) for _ in range(count)]  # all open at once: the ports differ
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def _read(path: Path) -> str:
    return path.read_text(errors="replace") if path.is_file() else ""
