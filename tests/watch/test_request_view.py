"""Tests for labsupport.watch.request_view: server.watch() on a server in this kernel and on a process."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import time

import httpx
import pytest
import tornado.web
import tornado.websocket

import labsupport
from labsupport import ServeError

from ..apps import make_hello_app
from ..conftest import run
from ..kernels import Kernel


class SlowHandler(tornado.web.RequestHandler):
    async def get(self):
        await asyncio.sleep(float(self.get_argument("s", "0.3")))
        self.write("slow")

    def post(self):
        self.set_status(201)


class BoomHandler(tornado.web.RequestHandler):
    def get(self):
        raise ValueError("planted")


class EchoSocket(tornado.websocket.WebSocketHandler):
    def on_message(self, message):
        self.write_message(message)


def app() -> tornado.web.Application:
    return tornado.web.Application([(r"/slow", SlowHandler), (r"/boom", BoomHandler), (r"/ws", EchoSocket)])


def test_requests_show_with_method_path_status_and_what_is_in_progress():
    async def scenario():
        server = labsupport.serve(app(), name="watched")
        view = server.watch()
        async with httpx.AsyncClient(timeout=5) as client:
            slow = asyncio.create_task(client.get(server.url + "slow"))
            await asyncio.sleep(0.1)
            during = (len(view.log.in_progress), [r.path for r in view.requests() if r.end is None])
            await slow
            for path in ("slow?s=0", "slow?s=0", "missing", "boom"):
                await client.get(server.url + path)
            await client.post(server.url + "slow", content=b"")
        socket = await tornado.websocket.websocket_connect(server.url.replace("http", "ws") + "ws")
        socket.close()
        await asyncio.sleep(0.05)
        after = view.summary()
        done = [(r.method, r.path, r.status) for r in view.requests()]
        server.stop()
        return during, after, done, view

    during, after, done, view = run(scenario())
    assert during == (1, ["/slow"])
    assert done == [("GET", "/slow", 200)] * 3 + [("GET", "/missing", 404), ("GET", "/boom", 500),
                                                   ("POST", "/slow", 201), ("GET", "/ws", 101)]
    assert after == ("watched: 7 requests (3 × 200 GET /slow, 1 × 404 GET /missing, 1 × 500 GET /boom, "
                     "1 × 201 POST /slow, 1 × 101 GET /ws), 0 in progress")
    assert view.status == "stopped" and view.summary().endswith("(stopped)")
    assert all(r.duration is not None and r.duration >= 0 for r in view.requests())
    assert 0.25 < view.requests()[0].duration < 1.0  # the slow one: about 0.3 s


def test_a_client_that_leaves_a_parked_request_is_no_longer_in_progress():
    async def scenario():
        server = labsupport.serve(app(), name="parked")
        view = server.watch()
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"GET /slow?s=30 HTTP/1.1\r\nHost: x\r\n\r\n")
        await asyncio.sleep(0.2)
        parked = len(view.log.in_progress)
        writer.close()
        await asyncio.sleep(0.2)
        left = view.summary()
        server.stop()
        return parked, left

    parked, left = run(scenario())
    assert parked == 1
    assert left == "parked: 1 request (1 × no answer GET /slow), 0 in progress"


def test_memory_is_bounded_and_the_counts_go_on():
    async def scenario():
        server = labsupport.serve(make_hello_app(), name="bounded")
        view = server.watch(limit=100)
        async with httpx.AsyncClient(timeout=5) as client:
            for _ in range(150):
                await client.get(server.url)
        for n in range(5_000):  # the recorder directly, as the hooks call it
            view.log.started(n, "GET", f"/notes/{n}")
            view.log.finished(n, 200)
        server.stop()
        return view

    view = run(scenario())
    assert len(view.log.answered) == 100 and view.log.total == 5_150 and view.log.in_progress == {}
    assert len(view.log.counts) <= labsupport.watch.request_log.GROUPS + 1  # 5,000 paths, a dozen counters
    assert sum(view.log.counts.values()) == 5_150


def test_watch_twice_is_one_view_and_stopping_puts_the_app_back():
    async def scenario():
        application = app()
        server = labsupport.serve(application, name="twice")
        view = server.watch()
        same = server.watch() is view
        hooked = "find_handler" in vars(application) and "log_request" in vars(application)
        server.stop()
        return same, hooked, application, view, server

    same, hooked, application, view, server = run(scenario())
    assert same and hooked
    assert "find_handler" not in vars(application) and "log_request" not in vars(application)
    assert view._timer is None and server.watch() is view


def test_the_summary_is_the_same_text_for_the_same_requests():
    async def one_run():
        server = labsupport.serve(make_hello_app(), name="stable")
        view = server.watch()
        async with httpx.AsyncClient(timeout=5) as client:
            await client.get(server.url)
            await client.get(server.url + "nope")
        server.stop()
        return view.summary()

    first, second = run(one_run()), run(one_run())
    assert first == second == "stable: 2 requests (1 × 200 GET /, 1 × 404 GET /nope), 0 in progress (stopped)"


def test_a_raw_tcp_server_has_no_request_view():
    from tornado.tcpserver import TCPServer

    async def scenario():
        server = labsupport.serve(TCPServer(), name="tcp")
        try:
            with pytest.raises(ServeError, match="raw TCP server"):
                server.watch()
        finally:
            server.stop()

    run(scenario())


def test_a_process_reports_each_request_to_the_kernel():
    process = labsupport.serve_process("tests.apps:make_hello_app", name="watched-process")
    try:
        view = process.watch()
        for path in ("", "", "missing"):
            httpx.get(process.url + path, timeout=5)
        deadline = time.monotonic() + 5
        while view.log.total < 3 and time.monotonic() < deadline:
            view.requests()
            time.sleep(0.05)
        assert view.summary() == "watched-process: 3 requests (2 × 200 GET /, 1 × 404 GET /missing), 0 in progress"
    finally:
        process.stop()
    assert view.status == "stopped"


def test_a_command_is_watched_through_its_access_lines(tmp_path):
    script = tmp_path / "server.py"
    script.write_text(textwrap.dedent("""
        import asyncio, sys, tornado.options, tornado.web
        from tests.apps import make_hello_app
        tornado.options.parse_command_line()  # Tornado's access lines at INFO, on stderr
        async def main():
            make_hello_app().listen(int(sys.argv[1]), "127.0.0.1")
            await asyncio.Event().wait()
        asyncio.run(main())
    """))
    process = labsupport.serve_process([sys.executable, str(script), "{port}"], name="command",
                                       env={"PYTHONPATH": str(__import__("tests").__path__[0] + "/..")})
    try:
        view = process.watch()
        httpx.get(process.url, timeout=5)
        httpx.get(process.url + "gone", timeout=5)
        deadline = time.monotonic() + 5
        while view.log.total < 2 and time.monotonic() < deadline:
            view.requests()
            time.sleep(0.05)
        assert view.summary() == "command: 2 requests (1 × 200 GET /, 1 × 404 GET /gone)"  # in progress: not known
    finally:
        process.stop()


WATCHED_CELL = """
import labsupport, tornado.web
class HelloHandler(tornado.web.RequestHandler):
    def get(self):
        self.write("Hello")
server = labsupport.serve(tornado.web.Application([(r"/", HelloHandler)]))
view = server.watch()
view
"""


def test_in_jupyterlab_the_widget_redraws_while_the_kernel_is_idle():
    kernel = Kernel()
    try:
        kernel.run(WATCHED_CELL)
        port = int(kernel.run("print(server.port)").strip())
        while True:  # forget what came before
            try:
                kernel.client.get_iopub_msg(timeout=0.5)
            except Exception:
                break
        subprocess.run([sys.executable, "-c", f"import urllib.request as u; [u.urlopen('http://127.0.0.1:{port}/').read() "
                        f"for _ in range(3)]"], check=True, timeout=30)
        values, deadline = [], time.monotonic() + 10
        while time.monotonic() < deadline and not any("3 requests" in v for v in values):
            try:
                message = kernel.client.get_iopub_msg(timeout=1)
            except Exception:
                continue
            if message["msg_type"] == "comm_msg":  # the widget's new value, sent while idle
                values.append(str(message["content"]["data"].get("state", {}).get("value", "")))
        assert any("3 requests" in v and "GET" in v for v in values), values
        assert kernel.run("print(view.summary())").strip() == "HelloHandler: 3 requests (3 × 200 GET /), 0 in progress"
    finally:
        kernel.shutdown(now=True)
