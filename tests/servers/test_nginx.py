"""Tests for labsupport.servers.nginx: a real nginx in front of Tornado apps, and the errors it can raise.

They need Debian's nginx (and openssl); without it they skip, except under ``TORNADO_LAB_CI=1``,
where they fail (CI installs it with ``.ci/install-nginx.sh``). The app behind nginx is
``python -m tests.apps PORT``: it runs with ``xheaders=True`` and echoes what Tornado made of
each request.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time

import httpx
import psutil
import pytest
import tornado.web
import tornado.websocket
from tornado.httpclient import HTTPRequest

import labsupport
from labsupport import NginxError, NginxMissingError, PortInUseError

from ..conftest import ROOT, refused, run
from .test_processes import gone

nginx_module = importlib.import_module("labsupport.servers.nginx")

_MISSING = labsupport.nginx_available() is None
needs_nginx = pytest.mark.skipif(_MISSING and os.environ.get("TORNADO_LAB_CI") != "1",
                                 reason="nginx is not installed (CI installs it: .ci/install-nginx.sh)")

A_CLIENT = "127.0.0.2"  # Linux answers for all of 127/8: a client address that differs from nginx's own


def serve_echo(name: str = "echo") -> labsupport.ServerProcess:
    return labsupport.serve_process([sys.executable, "-m", "tests.apps", "{port}"], name=name, cwd=ROOT)


def trusting(proxy) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(proxy.certificate))


def echo(client: httpx.Client, url: str, **kwargs) -> dict:
    response = client.get(url, **kwargs)
    assert response.status_code == 200, response.text
    return response.json()


def nginx_pids(proxy) -> list[int]:
    return [p.pid for p in psutil.Process(proxy.pid).children(recursive=True) if p.name() == "nginx"]


def access_log_with(proxy, text: str, timeout: float = 5.0) -> str:
    """nginx's access log once it holds ``text`` (nginx writes a line after the response has gone)."""
    deadline = time.monotonic() + timeout
    while text not in proxy.access_log() and time.monotonic() < deadline:
        time.sleep(0.02)
    return proxy.access_log()


@needs_nginx
def test_the_app_behind_nginx_sees_the_client_address_and_scheme():
    app = serve_echo()
    proxy = labsupport.serve_nginx(app, tls=True)
    assert proxy.url == f"http://127.0.0.1:{proxy.port}/" and proxy.https_url == f"https://127.0.0.1:{proxy.https_port}/"
    with httpx.Client(transport=httpx.HTTPTransport(local_address=A_CLIENT)) as client:
        direct = echo(client, app.url)
        assert direct["remote_ip"] == direct["peer"] == A_CLIENT  # without nginx: the socket's own peer
        plain = echo(client, proxy.url, headers={"X-Forwarded-For": "203.0.113.7", "X-Scheme": "https"})  # forged
    assert plain["peer"] == "127.0.0.1"  # the connection comes from nginx,
    assert plain["remote_ip"] == plain["headers"]["X-Real-Ip"] == A_CLIENT  # but xheaders=True knows better
    assert plain["headers"]["X-Forwarded-For"] == f"203.0.113.7, {A_CLIENT}"
    assert plain["protocol"] == plain["headers"]["X-Forwarded-Proto"] == "http"
    assert plain["headers"]["Host"] == f"127.0.0.1:{proxy.port}"  # with the port, as a browser's Origin has it
    with httpx.Client(transport=httpx.HTTPTransport(verify=trusting(proxy), local_address=A_CLIENT)) as client:
        secure = echo(client, proxy.https_url)
    assert secure["protocol"] == secure["headers"]["X-Forwarded-Proto"] == "https"
    assert secure["remote_ip"] == A_CLIENT and secure["peer"] == "127.0.0.1"


@needs_nginx
def test_the_certificate_is_for_localhost_and_127_0_0_1_and_nothing_trusts_it_by_default():
    proxy = labsupport.serve_nginx(serve_echo(), tls=True)
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        httpx.get(proxy.https_url)
    for name in ("localhost", "127.0.0.1"):
        with socket.create_connection(("127.0.0.1", proxy.https_port), timeout=5) as raw, \
                trusting(proxy).wrap_socket(raw, server_hostname=name) as tls:
            assert tls.version() in ("TLSv1.2", "TLSv1.3")
            cert = tls.getpeercert()
    assert cert["subject"] == ((("commonName", "localhost"),),)
    assert cert["subjectAltName"] == (("DNS", "localhost"), ("IP Address", "127.0.0.1"))
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in proxy.config


@needs_nginx
def test_static_files_come_from_nginx_and_never_reach_the_app(tmp_path):
    (tmp_path / "hello.txt").write_text("hello from a file\n")
    (tmp_path / "style.css").write_text("body { color: teal }\n")
    app = serve_echo()
    proxy = labsupport.serve_nginx(app, static=tmp_path)
    assert httpx.get(f"{proxy.url}static/hello.txt").text == "hello from a file\n"
    css = httpx.get(f"{proxy.url}static/style.css")
    assert css.headers["content-type"] == "text/css" and css.text.startswith("body")
    assert httpx.get(f"{proxy.url}static/missing.txt").status_code == 404  # nginx's 404, not the app's echo
    assert httpx.get(f"{proxy.url}dynamic").json()["headers"]["X-Real-Ip"] == "127.0.0.1"
    assert httpx.get(f"{app.url}seen").json()["seen"] == ["/dynamic"]
    log = access_log_with(proxy, "GET /dynamic")
    assert '"GET /static/hello.txt HTTP/1.1" 200 18 upstream=-' in log
    assert f'"GET /dynamic HTTP/1.1" 200' in log and f"upstream=127.0.0.1:{app.port}" in log


@needs_nginx
def test_a_websocket_echo_passes_through_nginx_over_ws_and_wss():
    proxy = labsupport.serve_nginx(serve_echo(), tls=True)

    async def chat(request) -> str:
        connection = await tornado.websocket.websocket_connect(request)
        await connection.write_message("hello through nginx")
        reply = await connection.read_message()
        connection.close()
        return reply
    assert run(chat(f"ws://127.0.0.1:{proxy.port}/ws")) == "hello through nginx"
    wss = HTTPRequest(f"wss://127.0.0.1:{proxy.https_port}/ws", ssl_options=trusting(proxy))
    assert run(chat(wss)) == "hello through nginx"
    assert "GET /ws HTTP/1.1\" 101" in access_log_with(proxy, '" 101')


@needs_nginx
def test_two_upstreams_take_turns():
    first, second = serve_echo("first"), serve_echo("second")
    proxy = labsupport.serve_nginx([first, second])
    assert proxy.config.count("        server 127.0.0.1:") == 2
    pids = [httpx.get(proxy.url).json()["pid"] for _ in range(6)]
    assert len(set(pids)) == 2 and pids[0::2] == [pids[0]] * 3  # round robin: one, the other, one...
    log = access_log_with(proxy, f"upstream=127.0.0.1:{second.port}")
    assert f"upstream=127.0.0.1:{first.port}" in log and f"upstream=127.0.0.1:{second.port}" in log


@needs_nginx
def test_a_server_on_this_loop_and_a_bare_port_are_upstreams_too():
    class HelloHandler(tornado.web.RequestHandler):
        def get(self) -> None:
            self.write("hello from this loop")

    async def scenario() -> tuple[str, str]:
        server = labsupport.serve(tornado.web.Application([(r"/", HelloHandler)]))
        proxy = labsupport.serve_nginx(server)
        again = labsupport.serve_nginx(server.port, name="by-port")
        async with httpx.AsyncClient() as client:
            return (await client.get(proxy.url)).text, (await client.get(again.url)).text
    assert run(scenario()) == ("hello from this loop", "hello from this loop")


@needs_nginx
def test_a_taken_port_is_a_clear_error_and_a_lost_race_is_retried(monkeypatch):
    app = serve_echo()
    with pytest.raises(PortInUseError, match=f"^Port {app.port} on 127.0.0.1 is already in use. Use port=0"):
        labsupport.serve_nginx(app, port=app.port)
    with socket.create_server(("127.0.0.1", 0)) as holder:  # taken between the check and nginx's bind
        taken = holder.getsockname()[1]
        real_answers = nginx_module._answers
        monkeypatch.setattr(nginx_module, "_answers", lambda host, port: port != taken and real_answers(host, port))
        with pytest.raises(PortInUseError, match=rf"^nginx could not listen: bind\(\) to 127.0.0.1:{taken} failed "
                                                 r"\(98: Address already in use\). Use port=0"):
            labsupport.serve_nginx(app, port=taken)
    picks, real = [], nginx_module._free_ports

    def first_pick_taken(count: int) -> list[int]:  # another process took the port we picked
        picks.append(count)
        return [app.port, *real(count - 1)] if len(picks) == 1 else real(count)
    monkeypatch.setattr(nginx_module, "_free_ports", first_pick_taken)
    proxy = labsupport.serve_nginx(app)
    assert len(picks) == 2 and proxy.port != app.port
    assert httpx.get(proxy.url).json()["peer"] == "127.0.0.1"  # nginx answers, not the app on its port


@needs_nginx
def test_an_upstream_that_does_not_answer_is_named():
    app = serve_echo("todo")
    app.stop()
    with pytest.raises(NginxError, match=rf"^Nothing answers on 127.0.0.1:{app.port} \(todo\), where nginx"):
        labsupport.serve_nginx(app)
    with pytest.raises(NginxError, match="cannot send requests to 'todo'"):
        labsupport.serve_nginx("todo")


def test_without_nginx_the_error_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(nginx_module, "_EXTRA_DIRS", ())
    assert labsupport.nginx_available() is None
    with pytest.raises(NginxMissingError) as caught:
        labsupport.serve_nginx(8000)
    assert str(caught.value) == ("nginx is not installed: sudo apt install nginx (Debian, Ubuntu) "
                                 "or brew install nginx (macOS)")
    assert isinstance(caught.value, FileNotFoundError)


@needs_nginx
def test_without_openssl_tls_says_how_to_install_it(monkeypatch):
    app = serve_echo()
    real = nginx_module._find
    monkeypatch.setattr(nginx_module, "_find", lambda tool: None if tool == "openssl" else real(tool))
    with pytest.raises(NginxError, match=r"^openssl is not installed, and tls=True needs it: sudo apt install "
                                         r"openssl \(Debian, Ubuntu\) or brew install openssl \(macOS\)$"):
        labsupport.serve_nginx(app, tls=True)
    assert labsupport.serve_nginx(app).https_url is None  # without TLS it needs no openssl


@needs_nginx
def test_a_bad_static_folder_is_one_line(tmp_path):
    app = serve_echo()
    with pytest.raises(NginxError, match=f"^The static folder {tmp_path / 'nope'} does not exist"):
        labsupport.serve_nginx(app, static=tmp_path / "nope")
    odd = tmp_path / "price$tag"  # nginx reads $tag as a variable, and refuses to start
    odd.mkdir()
    with pytest.raises(NginxError) as caught:
        labsupport.serve_nginx(app, static=odd)
    assert str(caught.value) == 'nginx did not start: unknown "tag" variable'
    assert labsupport.running() == [app]
    spaced = tmp_path / 'a "quoted"; {folder}'  # but spaces, quotes, ; and braces are fine
    spaced.mkdir()
    (spaced / "a.txt").write_text("odd but fine")
    assert httpx.get(f"{labsupport.serve_nginx(app, static=spaced).url}static/a.txt").text == "odd but fine"


@needs_nginx
def test_stop_is_graceful_and_leaves_no_nginx_and_no_folder():
    app = serve_echo()
    proxy = labsupport.serve_nginx(app, tls=True)
    pids, prefix = nginx_pids(proxy), proxy.prefix
    assert len(pids) == 2 and (prefix / "nginx.pid").exists()  # the master and its one worker
    slow: list[httpx.Response] = []
    request = threading.Thread(target=lambda: slow.append(httpx.get(f"{proxy.url}?sleep=1", timeout=10)))
    request.start()
    deadline = time.monotonic() + 5
    while "/" not in httpx.get(f"{app.url}seen").json()["seen"] and time.monotonic() < deadline:
        time.sleep(0.02)
    proxy.stop()
    request.join()
    assert slow and slow[0].status_code == 200  # SIGQUIT lets the request in flight finish
    assert gone(pids) and not prefix.exists() and refused(proxy.port) and refused(proxy.https_port)
    assert labsupport.running() == [app] and proxy.status == "stopped"
    assert "GET /?sleep=1" in proxy.access_log()  # kept after the folder is gone
    proxy.stop()  # a second stop does nothing


@needs_nginx
def test_serving_again_replaces_it_and_stop_all_stops_it():
    app = serve_echo()
    first = labsupport.serve_nginx(app)
    first_pids = nginx_pids(first)
    second = labsupport.serve_nginx(app)
    assert first.status == "stopped" and gone(first_pids) and second.name == "nginx"
    assert repr(second) == f"NginxProcess('nginx', '{second.url}', running)"
    assert f'<a href="{second.url}" target="_blank">' in second._repr_html_()
    pids = nginx_pids(second)
    assert labsupport.stop_all() == 2 and gone(pids) and not second.prefix.exists()


@needs_nginx
def test_the_config_is_self_contained_and_proxies_every_header():
    proxy = labsupport.serve_nginx(serve_echo(), static=ROOT / "tests")
    config = proxy.config
    assert "/etc/" not in config and "/var/" not in config and "worker_processes 1;" in config
    for line in ("proxy_http_version 1.1;", "proxy_set_header Host $http_host;", "proxy_set_header X-Real-IP $remote_addr;",
                 "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
                 "proxy_set_header X-Forwarded-Proto $scheme;", "proxy_set_header X-Scheme $scheme;", "proxy_set_header Upgrade $http_upgrade;",
                 "proxy_set_header Connection $connection_upgrade;", f"listen 127.0.0.1:{proxy.port};",
                 f'alias "{ROOT / "tests"}/";', "client_body_temp_path client_body_temp;", "pid nginx.pid;"):
        assert line in config, line
    assert ("user root root;" in config) == (os.geteuid() == 0)
    assert (proxy.prefix / "nginx.conf").read_text() == config
    assert sorted(p.name for p in proxy.prefix.iterdir() if p.is_dir()) == [
        "client_body_temp", "fastcgi_temp", "proxy_temp", "scgi_temp", "uwsgi_temp"]


_OWNER = """
import json, sys, time
import labsupport
app = labsupport.serve_process([sys.executable, "-m", "tests.apps", "{port}"], cwd=sys.argv[1])
proxy = labsupport.serve_nginx(app)
import psutil
print(json.dumps([str(proxy.prefix), *(p.pid for p in psutil.Process(proxy.pid).children(recursive=True))]),
      flush=True)
time.sleep(60)  # until killed
"""


@needs_nginx
def test_nginx_dies_with_a_killed_kernel():
    """The supervisor takes nginx down; its folder stays (nothing of the kernel runs to delete it)."""
    owner = subprocess.Popen([sys.executable, "-c", _OWNER, str(ROOT)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    prefix = None
    try:
        prefix, *pids = json.loads(owner.stdout.readline())
        assert len(pids) == 2 and all(psutil.pid_exists(pid) for pid in pids)
        owner.kill()
        owner.wait(timeout=15)
        assert gone(pids), f"left behind: {[p for p in pids if psutil.pid_exists(p)]}"
    finally:
        owner.kill()
        owner.wait()
        if prefix is not None:
            shutil.rmtree(prefix, ignore_errors=True)
