"""Tests for notebooks/chatroom (lesson 07): long polling, WebSockets, bad input, shutdown.

Every test talks to a real server on a free loopback port, with real clients.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys

import httpx
import pytest
import tornado.web
import tornado.websocket
from tornado.httpclient import HTTPClientError
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets

import labsupport

from .chat_helpers import chatroom, drain, serving
from .conftest import ROOT, refused, run


def send(body: str) -> str:
    return json.dumps({"body": body})


# --- the buffer and the rate limit ----------------------------------------------------------

def test_buffer_keeps_the_last_messages_and_ids_keep_growing():
    buffer = chatroom.MessageBuffer(size=3)
    for text in "abcde":
        buffer.add(text)
    assert [m["body"] for m in buffer.since(0)] == ["c", "d", "e"]
    assert buffer.since(4) == [{"id": 5, "body": "e"}] and buffer.since(5) == []


def test_rate_limit_forgets_events_older_than_its_window():
    now = [0.0]
    limit = chatroom.RateLimit(3, per=1.0, clock=lambda: now[0])
    assert [limit.allow() for _ in range(4)] == [True, True, True, False]
    now[0] = 0.5
    assert not limit.allow()
    now[0] = 1.0  # the first three are a full second old
    assert [limit.allow() for _ in range(4)] == [True, True, True, False]


# --- long polling ------------------------------------------------------------------------------

def test_long_poll_waits_for_the_next_message_then_answers():
    async def scenario():
        async with serving() as chat, httpx.AsyncClient(base_url=chat.url, timeout=5) as client:
            poll = asyncio.ensure_future(client.get("/messages", params={"after": 0}))
            await asyncio.sleep(0.3)
            assert not poll.done() and chat.room.buffer.waiting == 1
            chat.room.publish("hello")
            response = await poll
            assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
            assert response.json() == {"messages": [{"id": 1, "body": "hello"}]}
            # a client that is behind gets what it missed at once
            chat.room.publish("again")
            assert [m["body"] for m in (await client.get("/messages?after=0")).json()["messages"]] == ["hello", "again"]
    run(scenario())


def test_long_poll_answers_an_empty_list_after_the_poll_timeout():
    async def scenario():
        async with serving(poll_timeout=0.2) as chat, httpx.AsyncClient(base_url=chat.url, timeout=5) as client:
            response = await client.get("/messages?after=0")
            assert response.json() == {"messages": []} and chat.room.buffer.waiting == 0
    run(scenario())


def test_a_client_that_hangs_up_stops_waiting():
    async def scenario():
        async with serving() as chat:
            reader, writer = await asyncio.open_connection("127.0.0.1", chat.server.port)
            writer.write(b"GET /messages?after=0 HTTP/1.1\r\nHost: test\r\n\r\n")
            await writer.drain()
            for _ in range(100):
                if chat.room.buffer.waiting == 1:
                    break
                await asyncio.sleep(0.01)
            assert chat.room.buffer.waiting == 1
            writer.close()
            for _ in range(200):
                if chat.room.buffer.waiting == 0:
                    break
                await asyncio.sleep(0.01)
            assert chat.room.buffer.waiting == 0  # on_connection_close cancelled the wait
    run(scenario())


def test_post_without_xsrf_token_is_refused_and_stores_nothing():
    async def scenario():
        async with serving() as chat, httpx.AsyncClient(base_url=chat.url, timeout=5) as client:
            response = await client.post("/messages", data={"body": "sneaky"})
            assert response.status_code == 403
            assert response.json()["error"]["message"] == "'_xsrf' argument missing from POST"
            await client.get("/poll")  # the page sets the chat_xsrf cookie
            token = client.cookies["chat_xsrf"]
            forged = await client.post("/messages", data={"body": "x", "_xsrf": "2|00|00|1"})
            assert forged.status_code == 403
            assert chat.room.buffer.since(0) == []
            response = await client.post("/messages", data={"body": " hi ", "_xsrf": token})
            assert response.status_code == 201 and response.json() == {"id": 1, "body": "hi"}
            response = await client.post("/messages", data={"body": "hey"}, headers={"X-XSRFToken": token})
            assert response.status_code == 201
    run(scenario())


@pytest.mark.parametrize(("path", "data", "status", "message"), [
    ("/messages", {"body": "x" * 101}, 413, "the message is longer than 100 bytes"),
    ("/messages", {"body": "   "}, 400, "the message is empty: send a form field 'body'"),
    ("/messages?after=abc", None, 400, "'after' must be the id of the last message seen"),
])
def test_bad_posts_and_polls_get_a_json_error(path, data, status, message):
    async def scenario():
        async with serving(max_message_bytes=100) as chat, httpx.AsyncClient(base_url=chat.url, timeout=5) as client:
            await client.get("/")
            if data is None:
                response = await client.get(path)
            else:
                response = await client.post(path, data=data, headers={"X-XSRFToken": client.cookies["chat_xsrf"]})
            assert (response.status_code, response.json()["error"]["message"]) == (status, message)
            assert chat.room.buffer.since(0) == []
    run(scenario())


def test_an_error_message_with_a_percent_sign_arrives_as_written():
    """``HTTPError.log_message`` doubles a lone ``%``; ``write_error`` reads ``get_message()`` (Tornado 6.6)."""
    class FullHandler(chatroom.MessagesHandler):
        async def get(self) -> None:
            raise tornado.web.HTTPError(400, "the room is 100% full")  # no args: not a format string

    async def scenario():
        async with serving() as chat, httpx.AsyncClient(base_url=chat.url, timeout=5) as client:
            chat.app.add_handlers(r".*", [(r"/full", FullHandler, {"room": chat.room})])
            response = await client.get("/full")
            assert (response.status_code, response.json()["error"]["message"]) == (400, "the room is 100% full")
    run(scenario())


# --- WebSockets ----------------------------------------------------------------------------------

def test_sockets_get_every_message_and_late_joiners_the_history():
    async def scenario():
        async with serving(history=2) as chat:
            for text in ("one", "two", "three"):
                chat.room.publish(text)
            alice = await chat.connect()
            assert [json.loads(await alice.read_message())["body"] for _ in range(2)] == ["two", "three"]
            bob = await chat.connect(history=2)
            await alice.write_message(send("hi bob"))
            assert json.loads(await bob.read_message()) == {"id": 4, "body": "hi bob"}
            assert json.loads(await alice.read_message()) == {"id": 4, "body": "hi bob"}
            poll = (await httpx.AsyncClient().get(chat.url + "messages?after=3")).json()
            assert poll == {"messages": [{"id": 4, "body": "hi bob"}]}  # long polls see socket messages too
    run(scenario())


async def _bad_client_closes_alone(chat, frame, *, binary=False):
    """Send ``frame`` from one client; return its close (code, reason) after checking the others."""
    alice, bad = await chat.connect(), await chat.connect()
    await bad.write_message(frame, binary=binary)
    assert await drain(bad) == []
    await alice.write_message(send("still here"))
    assert json.loads(await alice.read_message())["body"] == "still here"
    assert len(chat.room.sockets) == 1
    return bad.close_code, bad.close_reason


def test_an_oversized_frame_closes_that_socket_with_1009():
    async def scenario():
        async with serving(max_message_bytes=1000) as chat:
            return await _bad_client_closes_alone(chat, send("x" * 1000))
    assert run(scenario()) == (1009, "message too big")


@pytest.mark.parametrize(("frame", "binary"), [
    ("not json", False), ('{"text": "no body field"}', False), ("[1, 2]", False),
    ('{"body": 7}', False), ('{"body": "  "}', False), (b"\xff\xfe", True),
    ("[" * 2000 + "]" * 2000, False),  # under the size limit, but too deep for json.loads: RecursionError
])
def test_an_invalid_frame_closes_that_socket_with_1007(frame, binary):
    async def scenario():
        async with serving() as chat:
            return await _bad_client_closes_alone(chat, frame, binary=binary)
    assert run(scenario()) == (1007, 'expected JSON like {"body": "hello"}')


def test_a_flood_closes_that_socket_with_1008_and_others_keep_chatting():
    async def scenario():
        async with serving(rate=(5, 2.0)) as chat:
            alice, flood = await chat.connect(), await chat.connect()
            for number in range(8):
                with contextlib.suppress(tornado.websocket.WebSocketClosedError):
                    await flood.write_message(send(f"spam {number}"))
            received = await drain(flood)
            assert (flood.close_code, flood.close_reason) == (1008, "rate limit: more than 5 messages in 2 s")
            assert len(received) == 5  # what got through before the limit, and nothing after it
            assert [json.loads(await alice.read_message())["body"] for _ in range(5)] == [f"spam {n}" for n in range(5)]
            await alice.write_message(send("still here"))
            assert json.loads(await alice.read_message())["body"] == "still here"
    run(scenario())


async def _raw_websocket(chat) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A websocket client that does the handshake, then never reads another byte."""
    reader, writer = await asyncio.open_connection("127.0.0.1", chat.server.port)
    writer.write(f"GET /chatsocket HTTP/1.1\r\nHost: 127.0.0.1:{chat.server.port}\r\nUpgrade: websocket\r\n"
                 "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                 "Sec-WebSocket-Version: 13\r\n\r\n".encode())
    assert (await reader.readuntil(b"\r\n\r\n")).startswith(b"HTTP/1.1 101")
    return reader, writer


def test_a_client_that_stops_reading_is_closed_and_the_others_get_everything(caplog):
    """A slow consumer: at most MAX_UNSENT messages wait for it, then 1013; nothing is logged as unretrieved."""
    import gc

    async def scenario():
        async with serving(history=10) as chat:
            alice = await chat.connect()
            reader, writer = await _raw_websocket(chat)
            await asyncio.sleep(0.2)
            assert len(chat.room.sockets) == 2
            sockets = list(chat.room.sockets)
            most_unsent = 0
            for number in range(3000):  # 3000 x 3 KB: more than the loopback's socket buffers hold
                chat.room.publish(f"{number:04} " + "x" * 3000)
                most_unsent = max([most_unsent, *(socket.unsent for socket in sockets)])
                if number % 50 == 0:
                    for _ in range(50):  # alice reads as fast as the messages come
                        if len(alice_got) < number:
                            alice_got.append(json.loads(await alice.read_message())["id"])
                    await asyncio.sleep(0)
            while len(alice_got) < 3000:
                alice_got.append(json.loads(await alice.read_message())["id"])
            assert len(chat.room.sockets) == 1  # alice only: the silent client left the room
            assert most_unsent <= chatroom.MAX_UNSENT
            writer.close()
            await asyncio.sleep(0.5)
            return alice_got

    alice_got: list[int] = []
    with caplog.at_level("ERROR", logger="asyncio"):
        got = run(scenario(), 60)
        gc.collect()
    assert len(got) == 3000 and got == sorted(got)
    assert "never retrieved" not in caplog.text, caplog.text


def test_a_late_joiner_catching_up_on_a_long_history_is_not_taken_for_a_slow_client():
    async def scenario():
        async with serving(history=chatroom.MAX_UNSENT + 50) as chat:
            for number in range(chatroom.MAX_UNSENT + 50):
                chat.room.publish(f"old {number}")
            late = await chat.connect()
            chat.room.publish("new")  # while the whole catch-up may still be waiting to go out
            bodies = [json.loads(await late.read_message())["body"] for _ in range(chatroom.MAX_UNSENT + 51)]
            return bodies[-1], late.close_code
    assert run(scenario()) == ("new", None)


def test_a_burst_of_messages_in_one_loop_turn_does_not_close_a_reading_client():
    """Each write's task finishes a turn after its bytes went out: a burst must not look like a slow client."""
    async def scenario():
        async with serving() as chat:
            reader = await chat.connect()
            burst = chatroom.MAX_UNSENT + 50
            for number in range(burst):  # no await in between: no callback runs meanwhile
                chat.room.publish(f"burst {number}")
            bodies = [json.loads(await reader.read_message())["body"] for _ in range(burst)]
            return bodies[-1], reader.close_code, len(chat.room.sockets)
    assert run(scenario()) == (f"burst {chatroom.MAX_UNSENT + 49}", None, 1)


def test_a_body_far_over_the_limit_is_refused_before_it_is_read():
    async def scenario():
        async with serving() as chat:
            reader, writer = await asyncio.open_connection("127.0.0.1", chat.server.port)
            writer.write(b"POST /messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10000000\r\n"
                         b"Content-Type: application/x-www-form-urlencoded\r\n\r\nbody=xx")
            answer = await asyncio.wait_for(reader.read(), 5)  # answered, and closed, without the 10 MB
            writer.close()
            return answer
    assert run(scenario()).startswith(b"HTTP/1.1 400")


def test_a_client_that_dribbles_its_headers_is_cut_off():
    """Slow headers: the chat's idle_connection_timeout (10 s) also bounds the time to send the headers."""
    async def scenario():
        async with serving() as chat:
            reader, writer = await asyncio.open_connection("127.0.0.1", chat.server.port)
            started = asyncio.get_running_loop().time()
            with contextlib.suppress(ConnectionError):
                for byte in b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 30:
                    writer.write(bytes([byte]))
                    await writer.drain()
                    if reader.at_eof():
                        break
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(reader.read(1), 0.5)  # b"" once the server has closed
            writer.close()
            return asyncio.get_running_loop().time() - started
    took = run(scenario(), 60)
    assert chatroom.SERVER_OPTIONS["idle_connection_timeout"] <= took < 20


def test_a_page_from_another_origin_cannot_open_a_socket():
    async def scenario():
        async with serving() as chat:
            with pytest.raises(HTTPClientError) as refused_handshake:
                await chat.connect(Origin="http://evil.example")
            assert refused_handshake.value.code == 403
            same = await chat.connect(Origin=chat.url.rstrip("/"))
            assert len(chat.room.sockets) == 1
            same.close()
    run(scenario())


# --- the page ----------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/poll"])
def test_the_page_uses_only_relative_urls(path):
    async def scenario():
        async with serving() as chat, httpx.AsyncClient(base_url=chat.url, timeout=5) as client:
            page = await client.get(path)
            script = await client.get("/static/chat.js")
            return page, script
    page, script = run(scenario())
    assert page.status_code == 200 and 'name="_xsrf"' in page.text
    assert 'src="static/chat.js"' in page.text and 'href="static/chat.css"' in page.text
    for quote in ('"', "'", "`"):  # no absolute path: it would skip JupyterHub's /user/NAME/proxy/PORT/ prefix
        assert f'src={quote}/' not in page.text and f'href={quote}/' not in page.text
        assert f"fetch({quote}/" not in script.text and f'URL({quote}/' not in script.text
    assert 'new URL("chatsocket", location.href)' in script.text


# --- shutdown ----------------------------------------------------------------------------------

def test_close_all_connections_does_not_close_websockets_but_the_room_does():
    async def scenario():
        app = chatroom.make_app()
        sockets = bind_sockets(0, "127.0.0.1")
        http_server = HTTPServer(app)
        http_server.add_sockets(sockets)
        port = sockets[0].getsockname()[1]
        try:
            client = await tornado.websocket.websocket_connect(f"ws://127.0.0.1:{port}/chatsocket")
            http_server.stop()
            await asyncio.wait_for(http_server.close_all_connections(), 2)
            app.room.publish("still connected")
            assert json.loads(await client.read_message())["body"] == "still connected"
            assert app.room.close() == 1
            assert await client.read_message() is None
            assert (client.close_code, client.close_reason) == (1001, "the chat server is shutting down")
            assert await app.room.wait_empty(2)
        finally:
            http_server.stop()
    run(scenario())


def test_shutdown_says_goodbye_with_1001_wakes_polls_and_stops_listening():
    async def scenario():
        app = chatroom.make_app()
        server = labsupport.serve(app, name="chat-test")
        alice = await tornado.websocket.websocket_connect("ws" + server.url.removeprefix("http") + "chatsocket")
        async with httpx.AsyncClient(timeout=5) as client:
            poll = asyncio.ensure_future(client.get(server.url + "messages?after=0"))
            await asyncio.sleep(0.2)
            assert await chatroom.shutdown(app, server) == 1
            assert (await poll).json() == {"messages": []}
        assert await alice.read_message() is None and alice.close_code == 1001
        assert server.status == "stopped" and refused(server.port)
    run(scenario())


def test_python_m_chatroom_serves_and_closes_sockets_with_1001_on_sigterm():
    async def scenario():
        proc = labsupport.serve_process([sys.executable, "-m", "chatroom", "--port={port}", "--logging=none"],
                                        name="chat-process", cwd=ROOT / "notebooks")
        try:
            page = await httpx.AsyncClient().get(proc.url)
            assert page.status_code == 200 and "Chat room" in page.text
            socket = await tornado.websocket.websocket_connect(f"ws://127.0.0.1:{proc.port}/chatsocket")
            await socket.write_message(send("from the terminal"))
            assert json.loads(await socket.read_message())["body"] == "from the terminal"
            await asyncio.to_thread(proc.stop)  # SIGTERM; our loop stays free to answer the close frame
            assert await socket.read_message() is None and socket.close_code == 1001
        finally:
            proc.stop()
    run(scenario())


def test_python_m_chatroom_answers_a_waiting_long_poll_on_sigterm():
    # close_all_connections() does not wait for requests in progress: the poll must be answered first
    async def scenario():
        proc = labsupport.serve_process([sys.executable, "-m", "chatroom", "--port={port}", "--logging=none"],
                                        name="chat-process-poll", cwd=ROOT / "notebooks")
        try:
            async with httpx.AsyncClient(timeout=10) as client:
                assert (await client.get(proc.url)).status_code == 200
                poll = asyncio.ensure_future(client.get(proc.url + "messages?after=0"))
                await asyncio.sleep(1.0)  # parked long before this, even on a loaded machine
                assert not poll.done()
                await asyncio.to_thread(proc.stop)
                assert (await poll).json() == {"messages": []}
        finally:
            proc.stop()
    run(scenario())
