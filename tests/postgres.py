"""A real, throwaway PostgreSQL server for the tests: the ``postgres_url`` fixture and ``new_database``.

One server per test session, from Debian's ``postgresql`` package (``/usr/lib/postgresql/*/bin``,
newest version; set ``TORNADO_LAB_PG_BIN`` to use another bin directory). It lives in a temporary
directory, listens on a free port of 127.0.0.1 only, trusts every local connection (user
``postgres``, no password) and is stopped and deleted when the session ends, whatever happened.
As root (CI), initdb and pg_ctl run as the ``postgres`` system user, since PostgreSQL refuses root.
Without PostgreSQL the tests that use it skip, except in CI (``TORNADO_LAB_CI=1``), where they fail;
CI installs it with ``.ci/install-postgres.sh``.

Example, in a test module::

    import pytest
    from sqlalchemy.ext.asyncio import create_async_engine

    from .postgres import new_database, postgres_url  # noqa: F401  (importing registers the fixture)

    @pytest.fixture(scope="module")
    def db_url(postgres_url: str) -> str:
        return new_database(postgres_url)  # an empty database of this module's own

    def test_tasks(db_url: str) -> None:
        engine = create_async_engine(db_url)  # postgresql+asyncpg://postgres@127.0.0.1:PORT/todo_test_...
        ...

Several modules may import the fixture: they share the one server, each with a database of its own.
``asyncpg_dsn(url)`` turns such a URL into the plain ``postgresql://`` DSN that ``asyncpg.connect`` takes.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psutil
import pytest

__all__ = ["PostgresServer", "asyncpg_dsn", "find_bin_dir", "new_database", "postgres_url"]

BIN_GLOB = "/usr/lib/postgresql/*/bin"
BIN_ENV = "TORNADO_LAB_PG_BIN"
USER = "postgres"  # the database superuser, and the system user the server runs as under root
START_TIMEOUT = 60  # seconds for pg_ctl to see the server accept connections
COMMAND_TIMEOUT = 90  # seconds for any one command (initdb, pg_ctl, createdb)


def find_bin_dir() -> Path | None:
    """The PostgreSQL bin directory with ``initdb`` and ``pg_ctl``: ``$TORNADO_LAB_PG_BIN`` if set,
    else the newest ``/usr/lib/postgresql/<version>/bin``; None when there is none."""
    override = os.environ.get(BIN_ENV)
    if override:
        candidates = [Path(override)]
    else:
        def version(bin_dir: Path) -> tuple[int, ...]:
            return tuple(int(n) for n in re.findall(r"\d+", bin_dir.parent.name))

        candidates = sorted((Path(p) for p in glob.glob(BIN_GLOB)), key=version, reverse=True)
    for bin_dir in candidates:
        if all((bin_dir / tool).is_file() for tool in ("initdb", "pg_ctl", "createdb")):
            return bin_dir
    return None


def _missing() -> str | None:
    """Why no server can be started here, or None."""
    if find_bin_dir() is None:
        where = os.environ.get(BIN_ENV) or BIN_GLOB
        return (f"no PostgreSQL initdb/pg_ctl/createdb in {where} "
                "(Debian: apt-get install postgresql; CI runs .ci/install-postgres.sh)")
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            return "running as root, PostgreSQL must run as another user, and runuser is missing"
        try:
            import pwd

            pwd.getpwnam(USER)
        except KeyError:
            return (f"running as root, PostgreSQL must run as the system user {USER!r} "
                    "(created by Debian's postgresql package), and there is none")
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env() -> dict[str, str]:
    """Our environment without PG* variables (PGHOST, PGDATA, ...), so only our arguments count."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["LC_ALL"] = "C"  # English messages, no dependency on the machine's locales
    return env


def _run(cmd: list[str], *, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run a command that leaves no process behind; raise with its output when it fails."""
    result = subprocess.run(cmd, cwd=cwd, env=_env(), stdin=subprocess.DEVNULL, capture_output=True,
                            text=True, timeout=COMMAND_TIMEOUT)
    if result.returncode != 0:
        raise RuntimeError(f"{shlex.join(cmd)} exited with {result.returncode}:\n"
                           f"{result.stdout}{result.stderr}")
    return result


@dataclass
class PostgresServer:
    """A PostgreSQL server in its own temporary directory; ``start()`` it, ``stop()`` it (idempotent)."""

    bin_dir: Path
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="tornado-lab-pg-")))
    port: int = 0
    running: bool = False

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def log_file(self) -> Path:
        return self.root / "postgres.log"

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the ``postgres`` maintenance database."""
        return f"postgresql+asyncpg://{USER}@127.0.0.1:{self.port}/postgres"

    def _as_server_user(self, cmd: list[str]) -> list[str]:
        return ["runuser", "-u", USER, "--", *cmd] if os.geteuid() == 0 else cmd

    def start(self) -> PostgresServer:
        """initdb and start; on any failure everything is stopped and deleted before the error rises."""
        atexit.register(self.stop)  # also when the session is interrupted before fixture teardown
        try:
            if os.geteuid() == 0:
                shutil.chown(self.root, USER, USER)
            self.root.chmod(0o700)
            _run(self._as_server_user([
                str(self.bin_dir / "initdb"), "-D", str(self.data_dir), "-U", USER, "--auth=trust",
                "--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions"]), cwd=self.root)
            for attempt in range(3):  # another process may take the free port before the server binds it
                self.port = _free_port()
                try:
                    self._pg_ctl_start()
                    break
                except RuntimeError:
                    if attempt == 2 or "could not bind" not in self._log():
                        raise
            return self
        except BaseException:
            self.stop()
            raise

    def _pg_ctl_start(self) -> None:
        options = (f"-c listen_addresses=127.0.0.1 -c unix_socket_directories={shlex.quote(str(self.root))} "
                   f"-p {self.port} -c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        cmd = self._as_server_user([
            str(self.bin_dir / "pg_ctl"), "start", "-D", str(self.data_dir), "-l", str(self.log_file),
            "-o", options, "-w", "-t", str(START_TIMEOUT)])
        self.running = True  # from here on stop() must try, even when pg_ctl fails or times out
        # Output to a file, not a pipe: a pipe held open by the postmaster would block subprocess.run.
        with tempfile.TemporaryFile("w+") as out:
            try:
                code = subprocess.run(cmd, cwd=self.root, env=_env(), stdin=subprocess.DEVNULL, stdout=out,
                                      stderr=subprocess.STDOUT, timeout=COMMAND_TIMEOUT).returncode
            except subprocess.TimeoutExpired:
                code = None
            if code != 0:
                self._kill()
                out.seek(0)
                raise RuntimeError(f"pg_ctl start exited with {code}:\n{out.read()}\n"
                                   f"server log ({self.log_file}):\n{self._log()}")

    def _log(self) -> str:
        try:
            return self.log_file.read_text(errors="replace")
        except OSError:
            return ""

    def _postmaster(self) -> psutil.Process | None:
        """The server's postmaster, from its pid file, if it still runs."""
        try:
            pid = int((self.data_dir / "postmaster.pid").read_text().split()[0])
            process = psutil.Process(pid)
            if process.name().startswith(("postgres", "postmaster")):
                return process
        except (OSError, ValueError, IndexError, psutil.Error):
            pass
        return None

    def _kill(self) -> None:
        """Immediate shutdown; SIGKILL the postmaster if pg_ctl could not stop it."""
        with contextlib.suppress(Exception):
            subprocess.run(self._as_server_user([
                str(self.bin_dir / "pg_ctl"), "stop", "-D", str(self.data_dir), "-m", "immediate", "-w",
                "-t", "30"]), cwd=self.root, env=_env(), stdin=subprocess.DEVNULL, capture_output=True,
                timeout=COMMAND_TIMEOUT)
        postmaster = self._postmaster()
        if postmaster is not None:
            with contextlib.suppress(psutil.Error):
                postmaster.send_signal(signal.SIGKILL)  # its backends exit when they see it gone
                postmaster.wait(10)

    def stop(self) -> None:
        """Stop the server (if it was started) and delete its directory; safe to call twice."""
        if self.running:
            self._kill()
            self.running = False
        shutil.rmtree(self.root, ignore_errors=True)
        atexit.unregister(self.stop)


def asyncpg_dsn(url: str) -> str:
    """``postgresql+asyncpg://...`` -> ``postgresql://...``, the DSN asyncpg and psql accept."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme=parts.scheme.split("+")[0]))


def new_database(base_url: str, prefix: str = "todo_test") -> str:
    """Create an empty database ``<prefix>_<random hex>`` on the server of ``base_url`` (any URL of
    the ``postgres_url`` server); return ``base_url`` with that database in it."""
    bin_dir = find_bin_dir()
    createdb = str(bin_dir / "createdb") if bin_dir else shutil.which("createdb") or "createdb"
    parts = urlsplit(base_url)
    name = f"{prefix}_{secrets.token_hex(6)}"
    _run([createdb, "-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432),
          "-U", parts.username or USER, "-T", "template0", name])
    return urlunsplit(parts._replace(path=f"/{name}"))


_shared: PostgresServer | None = None
_users = 0


@contextlib.contextmanager
def _shared_server() -> Iterator[PostgresServer]:
    """One server for the whole session, even when several test modules import the fixture
    (pytest then holds one session fixture per module): the last user stops it."""
    global _shared, _users
    if _shared is None:
        started = time.monotonic()
        _shared = PostgresServer(find_bin_dir()).start()  # type: ignore[arg-type]  (checked by _missing)
        print(f"\nPostgreSQL {_shared.bin_dir.parent.name} on 127.0.0.1:{_shared.port} "
              f"ready in {time.monotonic() - started:.2f} s")
    _users += 1
    try:
        yield _shared
    finally:
        _users -= 1
        if _users == 0:
            server, _shared = _shared, None
            server.stop()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """SQLAlchemy URL (``postgresql+asyncpg://postgres@127.0.0.1:PORT/todo_test_HEX``) of a fresh,
    empty database on this session's throwaway server; skips (fails in CI) without PostgreSQL.
    Each test module that imports the fixture gets a database of its own on the same server."""
    reason = _missing()
    if reason and os.environ.get("TORNADO_LAB_CI") == "1":
        pytest.fail(f"PostgreSQL tests cannot run in CI: {reason}")
    if reason:
        pytest.skip(reason)
    with _shared_server() as server:
        yield new_database(server.url)
