"""Just enough HTTP/1.1 over Tornado's ``IOStream`` to measure a server on this machine.

The one client behind ``labsupport.load()`` and the C10K demo: it checks that a URL points at
this machine, writes a request, and reads one response (head, then a body framed by
Content-Length, by chunks, or by the connection closing). Example, in a notebook cell::

    from labsupport.measure import http11
    target = http11.loopback_target(server.url, caller="my_client")
    stream = await http11.connect(target)
    await stream.write(http11.format_request("GET", target))
    response = await http11.read_response(stream)
    response.status, response.body   # (200, b'Hello')
    stream.close()

Why its own client and not httpx or Tornado's ``AsyncHTTPClient``: a load generator must be
faster than the server it loads, or it measures itself. ``benchmarks/clients.py`` compares them
with ``wrk`` (written in C) against a hello-world Tornado server over 50 connections. On the
2-core course machine, in two runs with this module, ``load()`` reached 0.65x and 0.75x wrk's
requests per second (3-second rounds from 0.59x to 0.79x), ``AsyncHTTPClient`` 0.18x and 0.17x,
httpx 0.03x and 0.04x. The hand-rolled parser it replaced measured 0.75x in the same setting
(an earlier benchmark: 0.75-0.94x, against 0.24x and 0.04x). Parsing heads with Tornado's own
functions costs about 25 us more per response than splitting bytes did, small beside the
server's work: ``load()`` sent 3,193 requests/s before, 3,174 and 3,035 after. For that speed
the client leaves out TLS, redirects, compression, cookies and proxies.

Only loopback targets (127.0.0.0/8, ::1, localhost) pass :func:`loopback_target`: a measurement
sends a flood of requests or connections, which would be an attack on anyone else's server.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from tornado.httputil import HTTPHeaders, HTTPInputError, parse_response_start_line
from tornado.iostream import IOStream, StreamClosedError, UnsatisfiableReadError
from tornado.tcpclient import TCPClient

from ..errors import LoadError, LoadTargetError

__all__ = ["MAX_HEAD", "REFUSED", "Response", "Target", "connect", "describe_failure", "format_request",
           "loopback_target", "read_response"]

MAX_HEAD = 64 * 1024  # the most bytes a response head (or a chunk-size line) may take
REFUSED = "connection refused"  # what describe_failure() calls a refused connection
USER_AGENT = "labsupport-load"
_SET_BY_US = ("host", "content-length", "transfer-encoding")
_HEX = re.compile(rb"[0-9A-Fa-f]+")
_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class Target:
    """Where a checked URL points: the ``host`` and ``port`` to connect to, the request ``path``
    (with its ``?query``) and the ``Host`` header to send (``host_header``)."""

    host: str
    port: int
    path: str
    host_header: str


@dataclass(frozen=True)
class Response:
    """One response read by :func:`read_response`: whether the connection may carry another
    request (``keep_alive``), and the body with its transfer framing removed."""

    status: int
    headers: HTTPHeaders
    body: bytes
    keep_alive: bool


def loopback_target(url: object, *, caller: str, error: type[LoadError] = LoadError) -> Target:
    """Check that ``url`` is an ``http://`` URL on this machine; return where it points.

    A host other than 127.0.0.0/8, ::1 or localhost raises :class:`LoadTargetError`, before
    anything is sent; any other problem with the URL raises ``error``. ``caller`` names the
    function in the messages, e.g. ``"load"``.

    Example::

        loopback_target("http://127.0.0.1:8888/a?b=1", caller="load")
        # Target(host='127.0.0.1', port=8888, path='/a?b=1', host_header='127.0.0.1:8888')
        loopback_target("http://example.com/", caller="load")   # LoadTargetError
    """
    if not isinstance(url, str):
        raise error(f"{caller}() needs a URL string such as server.url, not {type(url).__name__}.")
    parts = urlsplit(url)
    if parts.scheme != "http":
        raise error(f"{caller}() speaks plain http://, so the URL must start with http://, not {url!r}.")
    host = parts.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise LoadTargetError(
            f"{caller}() only ever targets this machine (127.0.0.1, ::1 or localhost), not {host!r}: "
            f"that many requests or connections would be an attack on someone else's server. Start "
            f"your own server (labsupport.serve or labsupport.serve_process) and use its .url.")
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:  # ":0" is no port to connect to, and not the default 80 either
        raise error(f"The port in {url!r} is not a number from 1 to 65535.")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(host, port or 80, path, parts.netloc.rpartition("@")[2])


async def connect(target: Target, *, client: TCPClient | None = None) -> IOStream:
    """Open a connection to ``target``, with Nagle's algorithm off (requests are small and whole).

    Example::

        stream = await connect(loopback_target(server.url, caller="demo"))
    """
    stream = await (client or TCPClient()).connect(target.host, target.port)
    stream.set_nodelay(True)
    return stream


def format_request(method: str, target: Target, *, headers: dict[str, str] | None = None,
                   body: bytes | None = None) -> bytes:
    """The bytes of one HTTP/1.1 request for ``target``; raises :class:`LoadError` for a bad method,
    body or header (Host, Content-Length and Transfer-Encoding are set here, not by ``headers``).

    Example::

        format_request("POST", target, headers={"Cookie": "user=ada"}, body=b"hi")
        # b'POST / HTTP/1.1\\r\\nHost: 127.0.0.1:8888\\r\\nUser-Agent: labsupport-load\\r\\n...'
    """
    if not isinstance(method, str) or not method.isalpha() or not method.isupper():
        raise LoadError(f"method must be an upper-case HTTP method such as 'GET' or 'POST', not {method!r}.")
    if body is not None and not isinstance(body, bytes):
        raise LoadError(f"body must be bytes (e.g. 'text'.encode()), not {type(body).__name__}.")
    if headers is not None and not isinstance(headers, dict):
        raise LoadError(f"headers must be a dict such as {{'Cookie': 'user=...'}}, not {type(headers).__name__}.")
    for name, value in (headers or {}).items():
        if not (isinstance(name, str) and isinstance(value, str) and name.isascii() and name.strip() == name
                and name and ":" not in name and not any(c in name + value for c in "\r\n")
                and name.lower() not in _SET_BY_US):
            raise LoadError(f"headers must map names to one-line strings (not Host, Content-Length or "
                            f"Transfer-Encoding, which the request sets itself), not {name!r}: {value!r}.")
    head = f"{method} {target.path} HTTP/1.1\r\nHost: {target.host_header}\r\nUser-Agent: {USER_AGENT}\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
    if body is not None or method in ("POST", "PUT", "PATCH"):
        head += f"Content-Length: {len(body or b'')}\r\n"
    return head.encode("latin-1") + b"\r\n" + (body or b"")


async def read_response(stream: IOStream, *, method: str = "GET") -> Response:
    """Read one whole response from ``stream``: its head, then its body, however it is framed.

    ``method`` is the request's: the answer to a ``HEAD`` has no body. A malformed response
    raises ``tornado.httputil.HTTPInputError`` (or ``UnsatisfiableReadError`` for a head over
    :data:`MAX_HEAD`); a closed connection, ``StreamClosedError``.

    Example::

        response = await read_response(stream)
        response.status, response.keep_alive   # (200, True)
    """
    head = (await stream.read_until(b"\r\n\r\n", max_bytes=MAX_HEAD)).decode("latin-1")
    first, _, fields = head.partition("\r\n")
    start = parse_response_start_line(first)  # HTTPInputError unless "HTTP/1.x NNN reason"
    headers = HTTPHeaders.parse(fields)  # HTTPInputError for a malformed line; no line folding
    tokens = {token.strip().lower() for token in headers.get("Connection", "").split(",")}
    keep = "close" not in tokens and (start.version == "HTTP/1.1" or "keep-alive" in tokens)
    code = start.code
    if method == "HEAD" or code in (204, 304) or 100 <= code < 200:
        return Response(code, headers, b"", keep)
    if "Transfer-Encoding" in headers:  # it overrides any Content-Length (RFC 9112, 6.3)
        if headers["Transfer-Encoding"].rpartition(",")[2].strip().lower() == "chunked":
            return Response(code, headers, await _read_chunks(stream), keep)
    elif "Content-Length" in headers:
        length = _content_length(headers["Content-Length"])
        return Response(code, headers, await stream.read_bytes(length) if length else b"", keep)
    # No length given: the body ends when the connection does (RFC 9112, 6.3).
    return Response(code, headers, await stream.read_until_close(), False)


def describe_failure(exc: BaseException) -> str:
    """A short, countable name for why a request or connection failed, e.g. ``"connection refused"``.

    Example::

        describe_failure(ConnectionRefusedError())   # 'connection refused'
    """
    if isinstance(exc, StreamClosedError):  # an OSError too, so before the others
        return describe_failure(exc.real_error) if exc.real_error else "connection closed by server"
    for kinds, text in ((TimeoutError, "timeout"), (ConnectionRefusedError, REFUSED),
                        (ConnectionResetError, "connection reset by server")):
        if isinstance(exc, kinds):
            return text
    if isinstance(exc, (HTTPInputError, UnsatisfiableReadError, ValueError)):
        return f"bad response: {exc}"[:100]
    return f"{type(exc).__name__}: {exc}"[:100]


async def _read_chunks(stream: IOStream) -> bytes:
    """The body of a ``Transfer-Encoding: chunked`` response, without its framing and trailers."""
    parts = []
    while True:
        line = await stream.read_until(b"\r\n", max_bytes=MAX_HEAD)
        size = line[:-2].partition(b";")[0].strip()  # a chunk may carry ";name=value" extensions
        if not _HEX.fullmatch(size):
            raise HTTPInputError(f"invalid chunk size {line!r}")
        if size.strip(b"0") == b"":
            break
        chunk = await stream.read_bytes(int(size, 16) + 2)
        if chunk[-2:] != b"\r\n":
            raise HTTPInputError("a chunk does not end with CRLF")
        parts.append(chunk[:-2])
    while await stream.read_until(b"\r\n", max_bytes=MAX_HEAD) != b"\r\n":
        pass  # trailer fields, up to the empty line that ends the response
    return b"".join(parts)


def _content_length(value: str) -> int:
    """Content-Length as Tornado reads it: digits only; repeated copies (``5, 5``) must agree."""
    copies = {piece.strip() for piece in value.split(",")}
    if len(copies) != 1 or not _DIGITS.fullmatch(next(iter(copies))):
        raise HTTPInputError(f"invalid Content-Length {value!r}")
    return int(copies.pop())
