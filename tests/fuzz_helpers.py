"""Shared by tests/test_fuzz.py: seeded random requests, bodies and frames, and the invariants they must keep.

A fuzz run returns a :class:`Report` instead of failing at the first problem, so a test can
assert that a healthy app gives none and that an app with one check removed gives some::

    report = Report(seed=20)
    with watching_logs(report):
        await fuzz_todo(todo, random.Random(20), report, requests=1500)
    assert not report.violations, report.summary()

Everything is driven by one ``random.Random(seed)`` and sent one request at a time, so a seed
replays the same inputs (``FUZZ_SEED=... pytest tests/test_fuzz.py``).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import random
import re
import string
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import tornado.web
import tornado.websocket
from sqlalchemy import select
from tornado.httpclient import HTTPClientError, HTTPRequest

__all__ = ["MARKER", "Report", "fuzz_chat", "fuzz_todo", "watching_logs"]

MARKER = "BYSTANDER-SECRET-q7x"  # in every task of the bystander: no fuzz response may contain it
PASSWORD = "correct horse"
LOCAL = ("127.0.0.1", "localhost")
USER = re.compile(r"[A-Za-z0-9_.-]{1,40}")


@dataclass
class Report:
    """What a fuzz run sent and every broken invariant, each with the request that broke it."""

    seed: int
    requests: int = 0
    frames: int = 0
    violations: list[str] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)  # status code (or websocket close code) -> how many

    def fail(self, what: str) -> None:
        if len(self.violations) < 200:  # enough to read; a broken app would repeat itself
            self.violations.append(what)

    def summary(self) -> str:
        head = (f"seed {self.seed} (rerun with FUZZ_SEED={self.seed}): {self.requests} requests, "
                f"{self.frames} frames, {len(self.violations)} violations")
        return "\n  ".join([head, *self.violations[:25]])


class _LogWatch(logging.Handler):
    def __init__(self, report: Report) -> None:
        super().__init__(logging.WARNING)
        self.report = report

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(record, "_fuzz_seen", False):  # on a logger and on its parent too
            return
        record._fuzz_seen = True
        text = record.getMessage()
        if record.exc_info or record.levelno >= logging.ERROR or "Traceback" in text or "Uncaught exception" in text:
            self.report.fail(f"log {record.name} {record.levelname}: {text[:300]}"
                             + (f" ({record.exc_info[1]!r})" if record.exc_info else ""))


@contextlib.contextmanager
def watching_logs(report: Report) -> Iterator[None]:
    """Count every error, traceback or uncaught exception logged meanwhile (Tornado's, asyncio's) as a violation."""
    watch = _LogWatch(report)
    # on Tornado's loggers too: labsupport.serve's cell logging stops them propagating (kernel/cell_logging.py)
    loggers = [logging.getLogger(name) for name in ("", *_WATCHED)]
    for logger in loggers:
        logger.addHandler(watch)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeHandler(watch)


_WATCHED = ("tornado", "tornado.access", "tornado.application", "tornado.general", "asyncio")


# ------------------------------------------------------------------------------ random inputs

ODD_TEXT = ["", " ", "\x00", "\ud800", "é", "日本語", "😀", "\u202e", "'; DROP TABLE tasks; --", "%s%n",
            "<script>", "../../etc/passwd", "\r\nX-Injected: 1", "null", "true", "{}", "\\", '"']


def text(rng: random.Random, *, most: int = 30) -> str:
    """A random string: printable, odd pieces, any code point, or one very long run."""
    kind = rng.random()
    if kind < 0.4:
        return "".join(rng.choice(string.printable) for _ in range(rng.randint(0, most)))
    if kind < 0.7:
        return "".join(rng.choice(ODD_TEXT) for _ in range(rng.randint(1, 4)))
    if kind < 0.9:
        return "".join(chr(rng.choice([rng.randint(0, 0x7F), rng.randint(0x80, 0x10FFFF)])) for _ in range(rng.randint(1, most)))
    return rng.choice("ax é") * rng.choice([40, 41, 100, 101, 254, 1000, 1001, 5000])


def json_value(rng: random.Random, depth: int = 0):
    """Any JSON value, of random shape and size."""
    kind = rng.randrange(9 if depth < 4 else 6)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.choice([0, -1, 1, 2**31, 2**63, -(2**64), rng.randint(-10**6, 10**6)])
    if kind == 3:
        return rng.choice([0.5, -0.0, 1e308, 1e-308, rng.uniform(-1e9, 1e9)])
    if kind in (4, 5):
        return text(rng)
    if kind == 6:
        return [json_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {text(rng, most=8): json_value(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def mutated(rng: random.Random, fields: dict) -> dict:
    """``fields`` with some values replaced, dropped or added: near-misses reach deeper code."""
    data = dict(fields)
    for _ in range(rng.randint(0, 3)):
        action = rng.random()
        if action < 0.35 and data:
            data[rng.choice(list(data))] = json_value(rng)
        elif action < 0.55 and data:
            data.pop(rng.choice(list(data)))
        elif action < 0.7:
            data[rng.choice(["id", "owner_id", "username", "created", text(rng, most=6)])] = json_value(rng)
        else:
            data[rng.choice(list(fields) or ["x"])] = text(rng)
    return data


def encoded_json(rng: random.Random, value) -> bytes:
    """``value`` as JSON in a random encoding: UTF-8 (maybe a BOM), UTF-16/32, Latin-1, or cut short."""
    raw = json.dumps(value, ensure_ascii=rng.random() < 0.3, allow_nan=True)
    encoding = rng.choice(["utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-16", "utf-32-le", "latin-1"])
    data = raw.encode(encoding, errors="surrogatepass" if encoding.startswith("utf") else "replace")
    if rng.random() < 0.08:
        data = data[:rng.randrange(len(data) + 1)]  # truncated
    return data


def odd_body(rng: random.Random) -> bytes:
    kind = rng.randrange(8)
    if kind == 0:
        return rng.randbytes(rng.randint(1, 300))
    if kind == 1:
        return b"[" * rng.choice([100, 5000, 40000]) + b"]" * rng.randint(0, 2)  # deep: RecursionError
    if kind == 2:
        return b"1" * rng.choice([10, 4301, 20000])  # an integer too long for int()
    if kind == 3:
        return rng.choice([b"", b"   ", b"\r\n", b"null", b"NaN", b"-Infinity", b'"\\ud800"', b"{", b"{}"])
    if kind == 4:
        return b'{"name": "' + b"x" * rng.choice([65 * 1024, 200 * 1024]) + b'"}'  # over max_body_bytes: 413
    if kind == 5:
        return b"\xef\xbb\xbf" + json.dumps({"name": text(rng)}).encode()
    if kind == 6:
        return b"{" + b'"a":1,' * rng.randint(1, 3000) + b'"b":2}'
    return json.dumps({"name": "x", "name ": "y", "name\u0000": "z"}).encode()


CONTENT_TYPES = ["application/json", "application/json; charset=utf-8", "application/json; charset=latin-1",
                 "application/x-www-form-urlencoded", "multipart/form-data", "multipart/form-data; boundary=zz",
                 "text/plain", "application/xml", "", ";;;", "application/json\x7f", "*/*"]


def body_and_type(rng: random.Random, fields: dict) -> tuple[bytes, str | None]:
    """A request body and its Content-Type (None: no header)."""
    kind = rng.random()
    if kind < 0.45:
        return encoded_json(rng, mutated(rng, fields)), rng.choice(["application/json", None, *CONTENT_TYPES])
    if kind < 0.6:
        return encoded_json(rng, json_value(rng)), rng.choice(["application/json", None])
    if kind < 0.75:
        pairs = {k: (v if isinstance(v, str) else json.dumps(v)) for k, v in mutated(rng, fields).items()}
        body = urllib.parse.urlencode(pairs, errors="surrogatepass").encode()
        if rng.random() < 0.2:
            body = body.replace(b"%", rng.choice([b"%zz", b"%", b"%ff%fe"]), 1)
        return body, rng.choice(["application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=utf-8"])
    if kind < 0.82:
        boundary = "b0undary"
        parts = "".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
                        for k, v in mutated(rng, fields).items() if isinstance(v, str))
        body = (parts + f"--{boundary}--\r\n").encode("utf-8", errors="surrogatepass")
        return body, rng.choice([f"multipart/form-data; boundary={boundary}", "multipart/form-data",
                                 "multipart/form-data; boundary=other"])
    return odd_body(rng), rng.choice(CONTENT_TYPES + [None])


def extra_headers(rng: random.Random) -> dict[str, str | bytes]:
    headers = {}
    for _ in range(rng.choice([0, 0, 1, 2, 4])):
        name = rng.choice(["X-Forwarded-For", "X-Real-Ip", "X-Scheme", "X-Forwarded-Proto", "Origin", "Referer",
                           "Accept", "Accept-Encoding", "Content-Encoding", "X-HTTP-Method-Override", "If-None-Match",
                           "Range", "X-XSRFToken", "Authorization", "X-" + "".join(rng.choices(string.ascii_letters, k=6))])
        value = "".join(rng.choice(string.printable[:94] + " é") for _ in range(rng.randint(0, 60))).strip()
        headers[name] = value.encode("latin-1")  # é as one obs-text byte, which HTTP allows
    return headers


METHODS = ["GET"] * 6 + ["POST"] * 6 + ["PUT"] * 4 + ["DELETE"] * 3 + ["PATCH", "HEAD", "OPTIONS", "TRACE", "PROPFIND", "get", "X"]


def junk_path_piece(rng: random.Random) -> str:
    return rng.choice(["..", ".", "%2e%2e", "%00", "%ff", "a%2Fb", "x" * 41, "", "%", "é", "~", "null", "0",
                       "".join(rng.choices(string.ascii_letters + string.digits + "-._~!$&'()*+,;=:@", k=rng.randint(1, 12)))])


# ------------------------------------------------------------------------------ the to-do API

@dataclass
class _Account:
    """A fuzzing account: its login cookie, whether the account still exists, and whether a request changed
    its password (then every cookie it had must stop working)."""

    username: str
    cookie: str
    alive: bool = True
    password_changed: bool = False
    task_ids: list[int] = field(default_factory=list)


async def _snapshot(todo, username: str) -> tuple:
    """Every column of ``username``'s profile and tasks, straight from the database."""
    from todo.models import Profile, Task

    async with todo.app.database.sessions() as session:
        profile = await session.scalar(select(Profile).where(Profile.username == username))
        if profile is None:
            return ()
        tasks = (await session.scalars(select(Task).where(Task.owner_id == profile.id).order_by(Task.id))).all()
        columns = [(profile.id, profile.username, profile.email, profile.password_hash, profile.created)]
        return tuple(columns + [(t.id, t.name, t.note, t.created, t.due_date, t.completed, t.owner_id) for t in tasks])


# Tornado's header parser refuses these (httputil.py:199-208) and HTTP1Connection answers a bare
# "400 Bad Request" (http1connection.py:344-346): the request never reaches the app.
_BAD_HEADER_VALUE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]|^[ \t]|[ \t]$")


def _malformed(request: httpx.Request) -> bool:
    return any(_BAD_HEADER_VALUE.search(value.decode("latin-1")) for _, value in request.headers.raw)


def _refused_by_http_server(request: httpx.Request, response: httpx.Response) -> bool:
    """True for the HTTP server's own bare 400 to a request with a header value it may not parse."""
    return _malformed(request) and response.status_code == 400 and response.content == b""


def _page_shape(response: httpx.Response) -> str | None:
    """What is wrong with an answer of lesson 11's pages (/web/..., /static/...), or None: no 5xx, HTML, no traceback."""
    if response.status_code >= 500:
        return "a 5xx"
    if "Traceback" in response.text:
        return "a traceback in the body"
    if response.status_code in (204, 304) or response.request.method == "HEAD":
        return None if response.content == b"" else "a body on a 204/304/HEAD"
    if response.status_code in (301, 302, 303) and not response.headers.get("location", "").startswith("/"):
        return f"a redirect off the site: {response.headers.get('location')!r}"
    wanted = "text/css" if response.status_code == 200 and response.request.url.path.startswith("/static/") else "text/html"
    if not response.headers.get("content-type", "").startswith(wanted):
        return f"Content-Type {response.headers.get('content-type')!r}, not {wanted}"
    return None


def _error_shape(response: httpx.Response) -> str | None:
    """What is wrong with ``response`` by the to-do API's promise (tests/todo_helpers.check_response), or None."""
    if response.status_code >= 500:
        return "a 5xx"
    if "Traceback" in response.text:
        return "a traceback in the body"
    # 304: an If-None-Match of "*" matches the ETag Tornado gives every 200 (web.py, check_etag_header)
    if response.status_code in (204, 304) or response.request.method == "HEAD":
        return None if response.content == b"" else "a body on a 204/304/HEAD"
    if not response.headers.get("content-type", "").startswith("application/json"):
        return f"Content-Type {response.headers.get('content-type')!r}"
    try:
        body = response.json()
    except ValueError:
        return "a body that is not JSON"
    if not isinstance(body, dict):
        return "a JSON body that is not an object"
    if response.status_code >= 400:
        error = body.get("error")
        if not (isinstance(error, dict) and error.get("status") == response.status_code
                and isinstance(error.get("message"), str) and error["message"]):
            return "an error not shaped {'error': {'status', 'message'}}"
    return None


async def fuzz_todo(todo, rng: random.Random, report: Report, *, requests: int) -> None:
    """Register a bystander and two fuzzing accounts, send ``requests`` random requests, check every invariant."""
    async with httpx.AsyncClient(base_url=todo.url, timeout=30) as http:
        bystander = todo.client()
        await bystander.http.post("/api/v1/accounts", json={"username": "bystander", "email": "by@example.org",
                                                            "password": BYSTANDER_PASSWORD})
        await bystander.login("bystander", password=BYSTANDER_PASSWORD)
        for number in range(3):
            await bystander.add_task(f"{MARKER} {number}", note=f"{MARKER} note", due_date="2030-01-01")
        before = await _snapshot(todo, "bystander")
        seen_before = [(await bystander.get(path)).content for path in ("/api/v1/accounts/bystander", tasks_path("bystander"))]
        bystander_id = before[0][0]
        bystander_tasks = [row[0] for row in before[1:]]
        accounts = {}
        for name in ("fuzz_a", "fuzz_b"):
            client = todo.client()
            await client.register(name)
            account = _Account(name, f"todo_user={client.cookie}")
            account.task_ids = [(await client.add_task(f"{name} task"))["id"] for _ in range(2)]
            accounts[name] = account

        stale: list[str] = []  # cookies of deleted accounts, or from before a password change: they must not work
        for _ in range(requests):
            for account in accounts.values():
                if account.password_changed:  # set the password back to PASSWORD, and log in again
                    stale.append(account.cookie)
                    await _reset_password(todo, account.username)
                    client = todo.client()
                    await client.login(account.username)
                    account.cookie, account.password_changed = f"todo_user={client.cookie}", False
                if not account.alive:  # deleted by a fuzz request: register the name again, with a new id
                    stale.append(account.cookie)
                    client = todo.client()
                    await client.register(account.username)
                    account.cookie, account.alive, account.task_ids = f"todo_user={client.cookie}", True, []
            cookie, may_act_as = _todo_cookie(rng, accounts, stale, bystander_id)
            if rng.random() < 0.3:  # the name the page's login stores: it must not make the page show that account
                name = f"todo_name={rng.choice(['bystander', 'fuzz_a', 'fuzz_b', 'nobody', ''])}"
                cookie = f"{cookie}; {name}" if cookie else name
            path, kind, user = _todo_path(rng, accounts, bystander_tasks, prefer=min(may_act_as, default=None))
            method = rng.choice(ALLOWED[kind]) if rng.random() < 0.6 else rng.choice(METHODS)
            headers = extra_headers(rng)
            if cookie is not None:
                headers["Cookie"] = cookie
            foreign = None
            if rng.random() < 0.05:
                foreign = rng.choice(FOREIGN_HOSTS)
                headers["Host"] = foreign
            elif rng.random() < 0.05:
                headers["Host"] = rng.choice(["localhost", "LOCALHOST", f"localhost:{todo.url.rsplit(':', 1)[1]}"])
            content = b""
            if rng.random() < 0.85:
                content, content_type = body_and_type(rng, FIELDS[kind])
                if content_type is not None:
                    headers["Content-Type"] = content_type
            http.cookies.clear()  # every request carries exactly the cookie chosen above
            try:
                request = http.build_request(method, path, content=content, headers=headers)
            except (httpx.InvalidURL, httpx.LocalProtocolError, UnicodeEncodeError, ValueError) as exc:
                report.skipped[type(exc).__name__ + str(exc)[:50]] += 1
                continue  # httpx will not send this one: not a request to the app
            kind, user = _route_of(request.url.raw_path.decode("ascii").split("?")[0])  # what httpx really sends
            where = f"#{report.requests} {method} {path!r} cookie={cookie and cookie[:40]!r} headers={headers!r:.300} body={content[:200]!r}"
            report.requests += 1
            try:
                response = await http.send(request)
            except httpx.LocalProtocolError as exc:
                report.skipped[type(exc).__name__ + str(exc)[:50]] += 1
                report.requests -= 1
                continue
            except httpx.HTTPError as exc:
                if not _malformed(request):  # else the server refused it and closed before reading the body
                    report.fail(f"{where}: no answer ({exc!r})")
                continue
            report.statuses[response.status_code] += 1
            if _refused_by_http_server(request, response):
                continue
            _judge_todo(report, where, response, kind=kind, user=user, may_act_as=may_act_as, foreign=foreign,
                        accounts=accounts)

        # after: the bystander is untouched, and the server still answers a plain request
        after = await _snapshot(todo, "bystander")
        if after != before:
            report.fail(f"the bystander's rows changed: before {before!r}, after {after!r}")
        seen_after = [(await bystander.http.get(path)).content
                      for path in ("/api/v1/accounts/bystander", tasks_path("bystander"))]
        if seen_after != seen_before:
            report.fail(f"the bystander's API answers changed: {seen_before!r} -> {seen_after!r}")
        alive = await http.get("/")
        if alive.status_code != 200 or "routes" not in alive.json():
            report.fail(f"GET / after the fuzzing: {alive.status_code} {alive.text[:200]}")


async def _reset_password(todo, username: str) -> None:
    """Store a hash of PASSWORD for ``username``, straight in the database (a new salt: a new stamp)."""
    from todo.models import Profile
    from todo.passwords import hash_password
    stored = await hash_password(PASSWORD)
    async with todo.app.database.sessions() as session, session.begin():
        profile = await session.scalar(select(Profile).where(Profile.username == username))
        profile.password_hash = stored


BYSTANDER_PASSWORD = "bystander's own password, not the fuzzer's"
FOREIGN_HOSTS = ["evil.example", "localhost.evil.example", "127.0.0.1.evil.example", "evil.example:80",
                 "xlocalhost", "127.0.0.2", "localhos", "local%68ost"]
ALLOWED = {"info": ["GET"], "register": ["POST"], "login": ["POST"], "logout": ["POST"], "profile": ["GET", "PUT", "DELETE"],
           "tasks": ["GET", "POST"], "task": ["GET", "PUT", "DELETE"], "junk": METHODS,
           "page": ["GET", "POST"], "page_form": ["POST"], "page_task": ["POST"], "static": ["GET"]}
TASK = {"name": "buy milk", "note": "2 litres", "due_date": "2030-12-31", "completed": False}
FIELDS = {"register": {"username": "fuzz_new", "email": "new@example.org", "password": PASSWORD},
          "login": {"username": "fuzz_a", "password": PASSWORD},
          "profile": {"email": "changed@example.org", "password": "another password", "current_password": PASSWORD},
          "tasks": TASK, "task": TASK, "info": {}, "logout": {}, "junk": TASK,
          "page": {"name": "buy milk", "due_date": "2030-12-31"}, "static": {}, "page_task": {"completed": "true"},
          "page_form": {"username": "bystander", "password": BYSTANDER_PASSWORD, "language": "de"}}


def tasks_path(username: str, task_id=None) -> str:
    path = f"/api/v1/accounts/{username}/tasks"
    return path if task_id is None else f"{path}/{task_id}"


def _todo_path(rng: random.Random, accounts: dict, bystander_tasks: list[int], *,
               prefer: str | None) -> tuple[str, str, str | None]:
    """(path, kind, the username in it): mostly the real routes, with users and ids of every sort."""
    user = prefer if prefer and rng.random() < 0.4 else rng.choice(["fuzz_a", "fuzz_b", "fuzz_a", "fuzz_b", "bystander", "bystander", "nobody",
                       "Bystander", "fuzz_a.", "x" * 40, junk_path_piece(rng)])
    own = [i for i in accounts[user].task_ids] if user in accounts else []
    task_id = rng.choice(own) if own and rng.random() < 0.4 else rng.choice([*bystander_tasks, *(i for a in accounts.values() for i in a.task_ids),
                          0, 1, "9" * 18, "9" * 19, "-1", "1.5", "0x1", "01", rng.randint(1, 50), junk_path_piece(rng)])
    kind = rng.choice(["info", "register", "login", "logout", "profile", "profile", "tasks", "tasks", "tasks",
                       "task", "task", "task", "task", "junk", "page", "page", "page_form", "page_task", "static"])
    path = {"info": "/", "register": "/api/v1/accounts", "login": "/api/v1/accounts/login",
            "logout": "/api/v1/accounts/logout", "profile": f"/api/v1/accounts/{user}",
            "tasks": tasks_path(user), "task": tasks_path(user, task_id), "page": "/web/",
            "page_form": rng.choice(["/web/login", "/web/logout", "/web/language"]), "page_task": f"/web/tasks/{task_id}",
            "static": rng.choice(["/static/style.css", "/static/style.css?v=0", "/static/", "/static/../app.py",
                                  "/static/%2e%2e/app.py", "/static/nothing.css", "/static/style.css/x"])}.get(kind)
    if kind == "junk":
        path = rng.choice(["/api", "/api/v1/", "/api/v2/accounts", "//api/v1/accounts", "/api/v1/accounts/",
                           f"/api/v1/accounts/{user}/tasks/{task_id}/x", f"/api/v1/accounts/{user}/", "/favicon.ico",
                           "/" + "/".join(junk_path_piece(rng) for _ in range(rng.randint(1, 4)))])
    if rng.random() < 0.1:
        path += rng.choice(["?", "?x=1", "?username=bystander", "?_method=DELETE", "#frag", "?a=%ff&a=%00"])
    if kind in ("profile", "tasks", "task", "page_task"):
        if ((kind != "page_task" and not USER.fullmatch(user))
                or (kind in ("task", "page_task") and not re.fullmatch(r"[0-9]{1,18}", str(task_id)))):
            kind = "junk"  # the route's pattern does not match: a 404
    return path, kind, user


_ROUTES = [("info", r"/"), ("register", r"/api/v1/accounts"), ("login", r"/api/v1/accounts/login"),
           ("logout", r"/api/v1/accounts/logout"), ("profile", rf"/api/v1/accounts/({USER.pattern})"),
           ("tasks", rf"/api/v1/accounts/({USER.pattern})/tasks"),
           ("task", rf"/api/v1/accounts/({USER.pattern})/tasks/[0-9]{{1,18}}"),
           ("page", r"/web/"), ("page_form", r"/web/(?:login|logout|language)"), ("page_task", r"/web/tasks/[0-9]{1,18}"),
           ("static", r"/static/.*")]
PAGE_KINDS = {"page", "page_form", "page_task", "static"}  # lesson 11's pages: HTML (or the static file), not JSON


def _route_of(path: str) -> tuple[str, str | None]:
    """(kind, username) of the route a raw path takes, as app.py's ROUTES match it; ("junk", None) for none."""
    for kind, pattern in _ROUTES:
        if match := re.fullmatch(pattern, path):
            return kind, (match.group(1) if match.groups() else None)
    return "junk", None


def _todo_cookie(rng: random.Random, accounts: dict, stale: list[str], bystander_id: int) -> tuple[str | None, set[str]]:
    """A Cookie header (or None), and the usernames whose data a request with it may touch."""
    a, b = accounts["fuzz_a"], accounts["fuzz_b"]
    alive = {name for name, account in accounts.items() if account.alive}
    choice = rng.randrange(13)
    if choice == 12 and stale:
        return rng.choice(stale), set()
    if choice < 3:
        return a.cookie, {"fuzz_a"} & alive
    if choice < 6:
        return b.cookie, {"fuzz_b"} & alive
    if choice == 6:
        return None, set()
    value = a.cookie.removeprefix("todo_user=")
    if choice == 7:
        i = rng.randrange(len(value))
        flipped = value[:i] + ("0" if value[i] != "0" else "1") + value[i + 1:]
        return f"todo_user={flipped}", set()
    if choice == 8:  # a real signature format, signed with a secret that is not the app's
        forged = tornado.web.create_signed_value("not the secret", "todo_user", str(bystander_id)).decode()
        return f"todo_user={forged}", set()
    if choice == 9:  # fuzz_a's signature on the bystander's id
        parts = value.split("|")
        encoded = base64.b64encode(str(bystander_id).encode()).decode()
        parts[4] = f"{len(encoded)}:{encoded}"
        return f"todo_user={'|'.join(parts)}", set()
    if choice == 10:
        return rng.choice([f"todo_user={bystander_id}", "todo_user=", "todo_user=2|1:0|10:1|9:todo_user|4:MQ==|",
                           "todo_user=" + "".join(rng.choices(string.ascii_letters + "|:=", k=40)),
                           "=;;;", "todo_user=\"x\""]), set()
    return f"{a.cookie}; todo_user=x; {b.cookie}", ({"fuzz_a", "fuzz_b"} & alive)  # several: one of them wins


def _judge_todo(report: Report, where: str, response: httpx.Response, *, kind: str, user: str | None,
                may_act_as: set[str], foreign: str | None, accounts: dict) -> None:
    status = response.status_code
    problem = _page_shape(response) if kind in PAGE_KINDS and foreign is None else _error_shape(response)
    if kind in PAGE_KINDS and foreign is None and response.request.method == "POST" and status < 400:
        report.fail(f"{where}: a form without its _xsrf token got {status}: {response.text[:200]!r}")
    if problem:
        report.fail(f"{where}: {problem}: {status} {response.text[:300]!r}")
    if MARKER in response.text:
        report.fail(f"{where}: cross-user read: the answer holds the bystander's task: {response.text[:300]!r}")
    if foreign is not None:
        if status == 405 and response.request.method not in tornado.web.RequestHandler.SUPPORTED_METHODS:
            return  # web.py:1964 answers a method Tornado does not know with 405 before prepare() looks at the host
        # a body Tornado cannot parse gets its 400 "Invalid body" (web.py, _execute) before prepare() too
        if (status == 403 and response.request.method not in ("GET", "HEAD", "OPTIONS")
                and "not allowed" in response.text and "origin" in response.request.headers):
            return  # cross_origin_protection refuses a write with a foreign Origin before prepare() (web.py:1979)
        if status != 400:
            report.fail(f"{where}: host {foreign!r} got {status} {response.text[:200]!r}, not the JSON 400")
        return
    if 200 <= status < 300:
        if kind == "junk":
            report.fail(f"{where}: {status} for a path with no route: {response.text[:200]!r}")
        elif kind in ("profile", "tasks", "task") and user not in may_act_as:
            report.fail(f"{where}: cross-user access: {status} on {user!r}'s data with a cookie that may act as "
                        f"{sorted(may_act_as)}: {response.text[:200]!r}")
        elif kind == "profile" and status == 204 and user in accounts:
            accounts[user].alive = False  # its cookie must not work from now on
        elif kind == "profile" and "todo_user=" in response.headers.get("set-cookie", "") and user in accounts:
            accounts[user].password_changed = True  # a PUT changed it: the cookies it had must not work
        elif kind == "tasks" and status == 201 and user in accounts:
            accounts[user].task_ids.append(response.json()["id"])


# ------------------------------------------------------------------------------ the chat

chatroom_max_body = 64 * 1024  # chatroom.SERVER_OPTIONS["max_body_size"]
CHAT_PATHS = ["/", "/poll", "/messages", "/messages", "/messages", "/chatsocket", "/static/chat.js", "/static/",
              "/static/../app.py", "/static/%2e%2e/app.py", "/templates/index.html", "/messages/", "/nothing"]
TORNADO_PAGE = re.compile(r"<html><title>(\d{3}): [^<]*</title><body>\1: [^<]*</body></html>")


def _chat_error_shape(response: httpx.Response, path: str) -> str | None:
    """What is wrong with an error answer of the chat: JSON from /messages (longpoll.py write_error), else Tornado's page."""
    status = response.status_code
    if status >= 500:
        return "a 5xx"
    if "Traceback" in response.text:
        return "a traceback in the body"
    if status < 400 or response.request.method == "HEAD" or response.content == b"":
        return None
    if path == "/messages":
        try:
            error = response.json()["error"]
        except (ValueError, KeyError, TypeError):
            return "an error from /messages that is not {'error': ...} JSON"
        if not (error.get("status") == status and isinstance(error.get("message"), str) and error["message"]):
            return "an error not shaped {'error': {'status', 'message'}}"
        return None
    if path == "/chatsocket" and status == 400 and response.text == 'Can "Upgrade" only to "WebSocket".':
        return None  # websocket.py, WebSocketHandler.get: a plain GET of the socket's URL
    return None if TORNADO_PAGE.fullmatch(response.text) else "an error that is not Tornado's error page"


async def fuzz_chat(chat, rng: random.Random, report: Report, *, requests: int, frames: int,
                    after_close: bool = False) -> None:
    """A bystander posts and listens; fuzz ``requests`` HTTP requests, then ``frames`` websocket frames; check it all.

    ``after_close`` also sends a valid frame right behind a bad one: the server has closed that
    socket by then, so the frame must not be published.
    """
    async with httpx.AsyncClient(base_url=chat.url, timeout=30) as http:
        await http.get("/")
        token = http.cookies["chat_xsrf"]
        log: dict[int, dict] = {}  # every message the room published, by id: what the bystander saw
        for number in range(3):
            posted = await http.post("/messages", data={"body": f"{MARKER} {number}"}, headers={"X-XSRFToken": token})
            log[posted.json()["id"]] = posted.json()
        bystander = await chat.connect(history=3)

        async def listen() -> None:
            while (message := await bystander.read_message()) is not None:
                message = json.loads(message)
                log[message["id"]] = message

        listener = asyncio.ensure_future(listen())
        stored: list[dict] = []  # what 201s said was stored
        polled: list[dict] = []  # what long polls answered
        socket_bodies: Counter = Counter()  # what valid frames must publish

        for _ in range(requests):
            await _chat_request(http, rng, report, token=token, stored=stored, polled=polled)
        while report.frames < frames:
            await _fuzz_socket(chat, rng, report, socket_bodies, after_close=after_close)

        # after: the bystander's socket is open and saw every message; nothing was lost or changed
        for _ in range(500):
            if len(log) >= chat.room.buffer.last_id:
                break
            await asyncio.sleep(0.02)
        if bystander.close_code is not None or listener.done():
            report.fail(f"the bystander's socket was closed: {bystander.close_code} {bystander.close_reason}")
        if sorted(log) != list(range(1, chat.room.buffer.last_id + 1)):
            report.fail(f"the bystander missed messages: has {len(log)} of {chat.room.buffer.last_id}")
        if chat.room.buffer.since(0) != [log.get(m["id"]) for m in chat.room.buffer.since(0)]:
            report.fail("the room's history differs from what the bystander received")
        for message in stored + polled:
            if log.get(message["id"]) != message:
                report.fail(f"an answer said {message!r}, the room published {log.get(message['id'])!r}")
        from_sockets = Counter(m["body"] for i, m in log.items() if i > 3) - Counter(m["body"] for m in stored)
        if from_sockets != socket_bodies:
            report.fail(f"websocket messages lost or made up: published-not-sent {from_sockets - socket_bodies!r:.300}, "
                        f"sent-not-published {socket_bodies - from_sockets!r:.300}")
        http.cookies.clear()
        alive = await http.post("/messages", data={"body": "still here"},
                                headers={"X-XSRFToken": token, "Cookie": f"chat_xsrf={token}"})
        if alive.status_code != 201:
            report.fail(f"a plain post after the fuzzing: {alive.status_code} {alive.text[:200]}")
        bystander.close()
        await asyncio.wait_for(listener, 10)


async def _chat_request(http: httpx.AsyncClient, rng: random.Random, report: Report, *, token: str,
                        stored: list, polled: list) -> None:
    method = rng.choice(["GET", "POST"] * 4 + METHODS)
    path = rng.choice(CHAT_PATHS + ["/" + junk_path_piece(rng)])
    if rng.random() < 0.4:
        path += "?" + rng.choice(["after=0", "after=-5", "after=1", "after=abc", "after=", "after=99999999999999999999",
                                  "after=1e3", "after=%00", "after=3&after=x", "_xsrf=" + token, junk_path_piece(rng)])
    cookie_ok, arg_ok = rng.random() < 0.75, rng.random() < 0.75
    version, mask, masked, timestamp = token.split("|")  # web.py xsrf_token: version 2 of the format
    other = f"{version}|{mask}|{'0' if masked[0] != '0' else '1'}{masked[1:]}|{timestamp}"  # another token
    forged = rng.choice(["2|00|00|1", "", "x", other, "2|aa|bb|cc"])
    headers = extra_headers(rng)
    cookie = (token if cookie_ok else forged) if rng.random() < 0.9 else None
    if cookie is not None:
        headers["Cookie"] = f"chat_xsrf={cookie}"
    fields = {"body": text(rng) if rng.random() < 0.7 else "hello"}
    submitted = token if arg_ok else rng.choice([forged, forged, other])
    if rng.random() < 0.5:
        headers["X-XSRFToken"] = submitted
    else:
        fields["_xsrf"] = submitted
    # Tornado's double submit (web.py check_xsrf_cookie): the token must repeat the cookie. A client may
    # pick both (the cookie "x" and the token "x" pass): what a cross-site page cannot do is read the cookie.
    xsrf_ok = cookie is not None and cookie == submitted and cookie != ""
    content, content_type = body_and_type(rng, fields)
    if rng.random() < 0.5:  # mostly a well-formed form: the one shape that reaches publish()
        content = urllib.parse.urlencode(mutated(rng, fields) if rng.random() < 0.2 else fields,
                                         errors="surrogatepass").encode()
        content_type = "application/x-www-form-urlencoded"
    if content_type is not None:
        headers["Content-Type"] = content_type
    http.cookies.clear()
    try:
        request = http.build_request(method, path, content=content, headers=headers)
    except (httpx.InvalidURL, httpx.LocalProtocolError, UnicodeEncodeError, ValueError):
        return
    where = f"#{report.requests} {method} {path!r} headers={headers!r:.300} body={content[:200]!r}"
    report.requests += 1
    try:
        response = await http.send(request)
    except httpx.HTTPError as exc:
        if not (_malformed(request) or len(content) > chatroom_max_body):
            report.fail(f"{where}: no answer ({exc!r})")
        return
    report.statuses[response.status_code] += 1
    if _refused_by_http_server(request, response) or (len(content) > chatroom_max_body and response.status_code == 400
                                                      and response.content == b""):
        return  # over SERVER_OPTIONS' max_body_size: refused from its Content-Length (http1connection.py)
    route = request.url.raw_path.decode("ascii").split("?")[0]
    if problem := _chat_error_shape(response, route):
        report.fail(f"{where}: {problem}: {response.status_code} {response.text[:300]!r}")
    if route == "/messages" and method == "POST" and response.status_code == 201:
        if not xsrf_ok:  # the token is what stops a forged post
            report.fail(f"{where}: a post without a matching XSRF token was stored: {response.text[:200]!r}")
        stored.append(response.json())
    elif route == "/messages" and method == "GET" and response.status_code == 200:
        polled.extend(response.json()["messages"])


def _frame(rng: random.Random) -> tuple[str | bytes, str | None]:
    """A frame and the body it must publish (stripped), or None when it must close the socket with 1007."""
    kind = rng.random()
    if kind < 0.55:
        body = text(rng, most=40)
        if not body.strip():
            body = "hi " + body
        data = {"body": body, **({"extra": json_value(rng)} if rng.random() < 0.2 else {})}
        frame = json.dumps(data, ensure_ascii=rng.random() < 0.5)
        if re.search("[\ud800-\udfff]", frame):  # a lone surrogate cannot go out as UTF-8: escape it
            frame = json.dumps(data)
        if len(frame.encode()) > 4096:
            return frame, "big"
        return (frame.encode() if rng.random() < 0.15 else frame), body.strip()
    if kind < 0.65:
        return json.dumps({"body": "x" * rng.choice([4100, 10000])}), "big"
    bad = rng.choice(["not json", "", "[1, 2]", '{"body": 7}', '{"body": "   "}', '{"body": null}', '{"text": "x"}',
                      '{"body": ["x"]}', "null", '"body"', "[" * 2000 + "]" * 2000, '{"body": "x"', "{}",
                      json.dumps({"Body": "x"}), json.dumps({"body": "\u2003\n"})])
    return (rng.choice([bad.encode(), b"\xff\xfe" + rng.randbytes(10)]) if rng.random() < 0.2 else bad), None


async def _fuzz_socket(chat, rng: random.Random, report: Report, socket_bodies: Counter, *, after_close: bool) -> None:
    """One websocket client: a few random frames, then read until the server closes it; check the close code."""
    headers = {}
    if rng.random() < 0.1:
        headers["Origin"] = rng.choice(["http://evil.example", "null", "http://127.0.0.1.evil.example"])
    try:
        socket = await tornado.websocket.websocket_connect(
            HTTPRequest(chat.ws_url, headers=headers, request_timeout=10))
    except HTTPClientError as exc:
        if not (headers and exc.code == 403):  # a foreign Origin is refused (websocket.py check_origin)
            report.fail(f"websocket handshake with {headers!r}: {exc!r}")
        return
    if headers:
        report.fail(f"a websocket from Origin {headers['Origin']!r} was accepted")
    expected_code, sent = 1000, []
    for _ in range(rng.randint(1, 6)):
        frame, verdict = _frame(rng)
        report.frames += 1
        sent.append(frame if isinstance(frame, bytes) else frame[:80])
        try:
            await socket.write_message(frame, binary=isinstance(frame, bytes))
        except tornado.websocket.WebSocketClosedError:
            break
        if verdict is None or verdict == "big":
            expected_code = 1007 if verdict is None else 1009
            if after_close and verdict is None:
                follow = json.dumps({"body": f"after the close {report.frames}"})
                report.frames += 1
                with contextlib.suppress(tornado.websocket.WebSocketClosedError):
                    await socket.write_message(follow)
            break
        socket_bodies[verdict] += 1
    if expected_code == 1000:
        socket.close(1000)
    try:
        while await asyncio.wait_for(socket.read_message(), 10) is not None:
            pass
    except asyncio.TimeoutError:
        report.fail(f"frames {sent!r:.300}: the socket was not closed within 10 s")
        socket.close()
        return
    report.statuses[f"close {socket.close_code}"] += 1
    if socket.close_code != expected_code:
        report.fail(f"frames {sent!r:.300}: closed with {socket.close_code} {socket.close_reason!r}, "
                    f"expected {expected_code}")
