"""Tests for labsupport.servers.serving: servers on the running loop, replaced, stopped and closed."""

from __future__ import annotations

import asyncio
import socket

import pytest
import tornado.web
import tornado.websocket
from tornado.httpclient import AsyncHTTPClient
from tornado.iostream import StreamClosedError
from tornado.tcpclient import TCPClient
from tornado.tcpserver import TCPServer

import labsupport
from labsupport import NoRunningLoopError, PortInUseError, ServeError

from ..apps import HelloHandler, make_hello_app
from ..conftest import refused, run


async def fetch(url: str) -> str:
    response = await AsyncHTTPClient().fetch(url, request_timeout=5)
    return response.body.decode()


def test_serve_answers_on_a_free_loopback_port():
    async def scenario():
        server = labsupport.serve(make_hello_app())
        assert server.url == f"http://127.0.0.1:{server.port}/" and server.port > 0
        assert await fetch(server.url) == "Hello, world"
        assert labsupport.running() == [server]
    run(scenario())


def test_serving_again_under_the_same_name_replaces_the_server():
    async def scenario():
        first = labsupport.serve(make_hello_app(), name="hello")
        second = labsupport.serve(make_hello_app(), name="hello", port=first.port)
        assert first.status in ("stopping", "stopped") and second.status == "listening"
        assert second.port == first.port  # the same fixed port again: no "address already in use"
        assert labsupport.running() == [second]
        assert await fetch(second.url) == "Hello, world"
    run(scenario())


def test_default_name_comes_from_the_handlers():
    async def scenario():
        server = labsupport.serve(tornado.web.Application([(r"/", HelloHandler)]))
        assert server.name == "HelloHandler"
        again = labsupport.serve(tornado.web.Application([(r"/", HelloHandler)]))
        assert server.status != "listening" and labsupport.running() == [again]
    run(scenario())


def test_stop_closes_the_listening_socket_at_once():
    async def scenario():
        server = labsupport.serve(make_hello_app())
        server.stop()
        assert refused(server.port)
        assert labsupport.running() == []
    run(scenario())


def test_aclose_closes_an_open_keep_alive_connection():
    async def scenario():
        server = labsupport.serve(make_hello_app())
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"GET / HTTP/1.1\r\nHost: test\r\n\r\n")
        head = await reader.readuntil(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200")
        await server.aclose(timeout=3)
        assert server.status == "stopped"
        assert await asyncio.wait_for(reader.read(), 3) == b"Hello, world"  # then end of stream
        writer.close()
    run(scenario())


def test_aclose_closes_an_open_websocket():
    async def scenario():
        server = labsupport.serve(make_hello_app())
        ws = await tornado.websocket.websocket_connect(f"ws://127.0.0.1:{server.port}/ws")
        await ws.write_message("ping")
        assert await ws.read_message() == "ping"
        await server.aclose(timeout=3)
        assert await asyncio.wait_for(ws.read_message(), 3) is None  # None: the server closed it
    run(scenario())


def test_stop_all_stops_every_server():
    async def scenario():
        servers = [labsupport.serve(make_hello_app(), name=f"s{i}") for i in range(3)]
        assert labsupport.stop_all() == 3
        assert labsupport.running() == []
        assert all(refused(s.port) for s in servers)
    run(scenario())


def test_stop_by_name_and_unknown_name():
    async def scenario():
        server = labsupport.serve(make_hello_app(), name="named")
        labsupport.stop("named")
        assert server.status != "listening"
        with pytest.raises(KeyError, match="No live server is called 'named'"):
            labsupport.stop("named")
    run(scenario())


def test_fixed_port_taken_by_another_program_names_the_port():
    async def scenario():
        with socket.socket() as other:
            other.bind(("127.0.0.1", 0))
            other.listen()
            port = other.getsockname()[1]
            with pytest.raises(PortInUseError, match=f"Port {port} on 127.0.0.1 is already in use by another program.*port=0"):
                labsupport.serve(make_hello_app(), port=port)
    run(scenario())


def test_fixed_port_taken_by_our_own_server_says_which():
    async def scenario():
        first = labsupport.serve(make_hello_app(), name="first")
        with pytest.raises(PortInUseError, match="the server 'first' started earlier.*labsupport.stop"):
            labsupport.serve(make_hello_app(), name="second", port=first.port)
    run(scenario())


@pytest.mark.parametrize("host, message", [
    ("127.0.0.300", "host must be an IP address"),
    ("example.com", "host must be an IP address"),
    (8080, "host must be a string"),
    ("10.255.255.254", "No network interface of this machine has the address"),
])
def test_bad_hosts_get_a_clear_message(host, message):
    async def scenario():
        with pytest.raises(ServeError, match=message):
            labsupport.serve(make_hello_app(), host=host)
    run(scenario())


@pytest.mark.parametrize("app, message", [
    (HelloHandler, r"not the handler class HelloHandler. Wrap it"),
    ([(r"/", HelloHandler)], "not a list of routes"),
    ("hello", "not str"),
])
def test_things_that_are_not_apps_get_a_clear_message(app, message):
    async def scenario():
        with pytest.raises(ServeError, match=message):
            labsupport.serve(app)
    run(scenario())


def test_serve_without_a_running_loop_says_what_to_do():
    with pytest.raises(NoRunningLoopError, match=r"asyncio.run\(main\(\)\)"):
        labsupport.serve(make_hello_app())


def test_repr_html_links_through_the_hub_proxy(monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/ada/")

    async def scenario():
        server = labsupport.serve(make_hello_app(), name="hub")
        assert f'href="/user/ada/proxy/{server.port}/"' in server._repr_html_()
        assert "listening" in server._repr_html_()
    run(scenario())


class _EchoServer(TCPServer):
    async def handle_stream(self, stream, address):
        try:
            while True:
                await stream.write(await stream.read_until(b"\n"))
        except StreamClosedError:
            pass


def test_serve_takes_a_tcp_server_and_replaces_it_by_class_name():
    async def scenario():
        first = labsupport.serve(_EchoServer())
        assert first.url == f"tcp://127.0.0.1:{first.port}" and not first.is_http
        assert "href" not in first._repr_html_()  # no browser link for raw TCP
        stream = await TCPClient().connect("127.0.0.1", first.port)
        await stream.write(b"ping\n")
        assert await stream.read_until(b"\n") == b"ping\n"
        second = labsupport.serve(_EchoServer(), port=first.port)
        assert first.status in ("stopping", "stopped") and labsupport.running() == [second]
        with pytest.raises(StreamClosedError):  # replacing closed the old server's connection
            await asyncio.wait_for(stream.read_until(b"\n"), 2)
        await second.aclose()
        assert refused(second.port)
    run(scenario())


def test_a_stopped_tcp_server_cannot_be_served_again():
    async def scenario():
        echo = _EchoServer()
        labsupport.serve(echo).stop()
        with pytest.raises(ServeError, match=r"served before.*labsupport.serve\(_EchoServer\(\)\)"):
            labsupport.serve(echo)
    run(scenario())


def test_http_options_reach_the_http_server():
    """max_body_size refuses a body from its Content-Length; idle_connection_timeout closes a silent client."""
    async def scenario():
        server = labsupport.serve(make_hello_app(), max_body_size=1000, idle_connection_timeout=0.5)
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2000\r\n\r\n")
        assert (await asyncio.wait_for(reader.read(), 5)).startswith(b"HTTP/1.1 400")
        writer.close()
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(b"GET / HTTP/1.1\r\n")  # and no more
        assert await asyncio.wait_for(reader.read(), 5) == b""  # closed after 0.5 s, not an hour
        writer.close()
        await server.aclose()
    run(scenario())


def test_http_options_for_a_tcp_server_get_a_clear_message():
    async def scenario():
        with pytest.raises(ServeError, match="options of an HTTP server"):
            labsupport.serve(_EchoServer(), max_body_size=1000)
        assert labsupport.running() == []
    run(scenario())
