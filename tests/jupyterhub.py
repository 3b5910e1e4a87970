"""A real JupyterHub on loopback for the workshop test: several learners, each with a JupyterLab of their own.

Used by ``tests/test_jupyterhub.py``. :class:`Hub` writes a ``jupyterhub_config.py`` in a temporary
folder and runs ``.venv/bin/jupyterhub`` with it:

- ``configurable-http-proxy`` (npm) in front, the hub and the proxy's API on free loopback ports;
- the dummy authenticator (one shared password) and an allow-list of learners;
- ``SimpleLocalProcessSpawner``: each learner's ``jupyterhub-singleuser`` (from ``.venv``, so with
  the course's pinned JupyterLab and jupyter-server-proxy) runs as this user, in a home folder of
  its own holding a copy of the course (``TORNADO_LAB_ROOT``), with Jupyter's folders inside it;
- a service token with admin scopes, so the test can make each learner a token and find the
  pid of their server.

:class:`Learner` looks like :class:`tests.jupyterlab.LabServer` to :class:`tests.jupyterlab.Lab`
(``url``, ``token``, ``api``, ``kernels``, ``descendants``), so one learner's JupyterLab is driven
through the hub exactly as the JupyterLab test drives a plain one. Example::

    with Hub(tmp_path, ["ada", "bob"], course=copy) as hub:
        ada = hub.learner("ada")          # spawned, with a token of her own
        ada.api("GET", "api/kernels")     # through the hub's proxy: /user/ada/api/kernels
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import psutil

from .jupyterlab import SETTINGS, copy_course, end_process_tree, free_port, log_tail, wait_until_answers

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
JUPYTERHUB = BIN / "jupyterhub"
PASSWORD = "workshop-password"

CONFIG = '''\
# Written by tests/jupyterhub.py for one test run.
import json
c = get_config()  # noqa: F821

c.JupyterHub.bind_url = "http://127.0.0.1:{port}/"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:{hub_port}/"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api_port}"
c.ConfigurableHTTPProxy.command = [{chp!r}]
c.ConfigurableHTTPProxy.pid_file = {proxy_pid!r}
c.JupyterHub.db_url = "sqlite:///" + {db!r}
c.JupyterHub.cookie_secret_file = {cookie_secret!r}
c.JupyterHub.pid_file = {hub_pid!r}
c.JupyterHub.cleanup_servers = True
c.JupyterHub.allow_named_servers = False

c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {password!r}
c.Authenticator.allowed_users = set({users!r})
c.Authenticator.admin_users = set()

c.JupyterHub.services = [{{"name": "workshop-test", "api_token": {token!r}}}]
c.JupyterHub.load_roles = [
    {{"name": "workshop-test", "services": ["workshop-test"],
     "scopes": ["admin:users", "admin:servers", "admin:server_state", "tokens", "access:servers", "list:users", "shutdown"]}},
    *json.loads({extra_roles!r}),
]

c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {homes!r} + "/{{username}}"
c.Spawner.cmd = [{singleuser!r}]
c.Spawner.args = json.loads({args!r})
c.Spawner.notebook_dir = {homes!r} + "/%U/course"
c.Spawner.default_url = "/lab/tree/notebooks"
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180
c.Spawner.env_keep = ["PATH", "LANG", "LC_ALL", "TORNADO_LAB_CI", "CHROMIUM"]

def _in_home(*parts):
    return lambda spawner: "/".join([{homes!r}, spawner.user.name, *parts])

c.Spawner.environment = {{
    "TORNADO_LAB_ROOT": _in_home("course"),
    "PYTHONPATH": _in_home("course"),  # the copy's labsupport, as in the JupyterLab test
    "JUPYTER_CONFIG_DIR": _in_home("jupyter", "config"), "JUPYTER_DATA_DIR": _in_home("jupyter", "data"),
    "JUPYTER_RUNTIME_DIR": _in_home("jupyter", "runtime"), "IPYTHONDIR": _in_home("jupyter", "ipython"),
    "JUPYTERLAB_SETTINGS_DIR": _in_home("jupyter", "settings"),
    "JUPYTERLAB_WORKSPACES_DIR": _in_home("jupyter", "workspaces"),
    "PYTHONUNBUFFERED": "1",
}}
'''


def configurable_http_proxy() -> str | None:
    """Where npm's ``configurable-http-proxy`` is, or None."""
    return shutil.which("configurable-http-proxy")


def missing_hub() -> str | None:
    """Why the hub test cannot run here, or None."""
    if not JUPYTERHUB.is_file():
        return f"no {JUPYTERHUB} (bash .ci/install-hub.sh installs requirements-hub.txt into .venv)"
    if configurable_http_proxy() is None:
        return "no configurable-http-proxy (npm install -g configurable-http-proxy@5.3.0; .ci/install-hub.sh does)"
    return None


def _request(url: str, method: str = "GET", body=None, *, token: str, timeout: float = 30):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        raw = response.read()
    return json.loads(raw) if raw else None


@dataclass
class _Pid:
    pid: int


class Learner:
    """One learner's single-user server, seen through the hub (what :class:`~tests.jupyterlab.Lab` needs)."""

    def __init__(self, hub: Hub, name: str, token: str, pid: int) -> None:
        self.hub, self.name, self.token = hub, name, token
        self.url = f"{hub.url}user/{name}/"
        self.lab_url = f"{self.url}lab?reset"
        self.log_path = hub.log_path
        self.process = _Pid(pid)
        self.psutil = psutil.Process(pid)
        self.home = hub.homes / name

    def api(self, method: str, path: str, body=None, timeout: float = 30):
        return _request(self.url + path, method, body, token=self.token, timeout=timeout)

    def kernels(self) -> list[dict]:
        return self.api("GET", "api/kernels")

    def descendants(self) -> list[psutil.Process]:
        try:
            return self.psutil.children(recursive=True)
        except psutil.NoSuchProcess:
            return []

    def memory(self) -> tuple[int, int]:
        """Memory of this learner's server and everything under it (kernels, servers), in bytes: ``(pss, rss)``.

        PSS shares each page among the processes that map it, so the PSS of all learners adds up to
        what they cost the host; RSS counts shared libraries once per process, so it overstates.
        """
        pss = rss = 0
        for proc in [self.psutil, *self.descendants()]:
            try:
                info = proc.memory_full_info()
            except psutil.Error:
                continue
            pss, rss = pss + getattr(info, "pss", info.rss), rss + info.rss
        return pss, rss

    def sign_in(self, page) -> None:
        """Log in on the hub's own login form, as a learner does."""
        page.goto(f"{self.hub.url}hub/login")
        page.fill("input[name=username]", self.name)
        page.fill("input[name=password]", PASSWORD)
        page.click("input[type=submit], button[type=submit]")
        page.wait_for_url(f"**/user/{self.name}/**", timeout=180_000)


class Hub:
    """JupyterHub with ``users`` allowed in; each gets a copy of ``course`` (clearing ``clear``) at spawn."""

    def __init__(self, folder: Path, users: list[str], *, course: Path, clear: list[str],
                 extra_roles: list[dict] = (), ready_timeout: float = 60) -> None:
        self.folder, self.users = Path(folder), list(users)
        self.homes = self.folder / "home"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.token = secrets.token_hex(24)
        for name in self.users:  # the course as a hub's image would hold it, one copy per learner
            home = self.homes / name
            copy_course(home / "course", clear=clear, root=course)
            for setting, values in SETTINGS.items():
                path = home / "jupyter" / "settings" / setting
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(json.dumps(values))
        args = ["--LabApp.expose_app_in_browser=True", "--LabApp.news_url=None",
                "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                "--LabApp.extension_manager=readonly"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            args.append("--allow-root")
        config = CONFIG.format(
            port=self.port, hub_port=free_port(), proxy_api_port=free_port(),
            chp=configurable_http_proxy(), proxy_pid=str(self.folder / "proxy.pid"), db=str(self.folder / "hub.sqlite"),
            cookie_secret=str(self.folder / "cookie_secret"), hub_pid=str(self.folder / "hub.pid"),
            password=PASSWORD, users=self.users, token=self.token, extra_roles=json.dumps(list(extra_roles)),
            homes=str(self.homes), singleuser=str(BIN / "jupyterhub-singleuser"), args=json.dumps(args))
        (self.folder / "jupyterhub_config.py").write_text(config)
        env = {key: value for key, value in os.environ.items()
               if key not in {"JUPYTERHUB_SERVICE_PREFIX", "LABSUPPORT_PROXY_PREFIX", "PYTEST_CURRENT_TEST"}}
        env["PATH"] = os.pathsep.join([str(BIN), env.get("PATH", "")])
        self.log_path = self.folder / "jupyterhub.log"
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen([str(JUPYTERHUB), "-f", str(self.folder / "jupyterhub_config.py")],
                                        cwd=self.folder, env=env, stdin=subprocess.DEVNULL, stdout=self._log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        self.psutil = psutil.Process(self.process.pid)
        self.learners: dict[str, Learner] = {}
        try:
            self._wait_ready(ready_timeout)
        except BaseException:
            self.stop()
            raise

    def __enter__(self) -> Hub:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def api(self, method: str, path: str, body=None, timeout: float = 30):
        return _request(f"{self.url}hub/api/{path}", method, body, token=self.token, timeout=timeout)

    def _wait_ready(self, timeout: float) -> None:
        wait_until_answers(self.process, lambda: self.api("GET", ""), "jupyterhub", self.log_path, timeout=timeout)

    def log_tail(self, lines: int = 40) -> str:
        return log_tail(self.log_path, lines)

    def wait_spawned(self, name: str, *, timeout: float = 180) -> Learner:
        """Wait until ``name``'s server is ready (a learner's login spawns it); a token and its pid."""
        deadline = time.monotonic() + timeout
        while True:
            user = self.api("GET", f"users/{name}")
            server = (user.get("servers") or {}).get("")
            if server and server.get("ready"):
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"{name}'s server was not ready after {timeout:.0f} s:\n{self.log_tail()}")
            time.sleep(0.5)
        token = self.api("POST", f"users/{name}/tokens", {"note": "workshop test", "expires_in": 3600})["token"]
        learner = self.learners[name] = Learner(self, name, token, int(server["state"]["pid"]))
        return learner

    def descendants(self) -> list[psutil.Process]:
        try:
            return self.psutil.children(recursive=True)
        except psutil.NoSuchProcess:
            return []

    def stop(self) -> None:
        """Stop the hub (it stops the learners' servers and the proxy), then kill whatever is left."""
        if getattr(self, "_stopped", False):
            return
        self._stopped = True
        seen = self.descendants()
        for learner in self.learners.values():
            seen += [p for p in [learner.psutil, *learner.descendants()] if p not in seen]
        try:
            self.api("POST", "shutdown", {"servers": True, "proxy": True}, timeout=10)
        except Exception:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            pass
        end_process_tree(self.process, self.psutil, seen + self.descendants())
        self._log.close()
