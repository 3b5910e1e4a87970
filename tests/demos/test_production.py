"""Tests for labsupport.demos.production: the apps exercise 12 serves behind proxies and drains."""

from __future__ import annotations

import asyncio

import httpx
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets

from labsupport.demos.production import SleepyApp, make_who_app

from ..conftest import run


async def _serve(app, **options) -> tuple[HTTPServer, str]:
    server = HTTPServer(app, **options)
    sockets = bind_sockets(0, "127.0.0.1")
    server.add_sockets(sockets)
    return server, f"http://127.0.0.1:{sockets[0].getsockname()[1]}"


async def _stop(server: HTTPServer) -> None:
    server.stop()
    await server.close_all_connections()


def test_the_who_app_says_what_tornado_made_of_the_address_and_scheme():
    async def scenario():
        server, base = await _serve(make_who_app(), xheaders=True)
        try:
            async with httpx.AsyncClient() as client:
                plain = (await client.get(base + "/")).json()
                proxied = (await client.get(base + "/", headers={"X-Forwarded-For": "203.0.113.7",
                                                                 "X-Forwarded-Proto": "https"})).json()
        finally:
            await _stop(server)
        return plain, proxied
    assert run(scenario()) == ({"remote_ip": "127.0.0.1", "protocol": "http"},
                               {"remote_ip": "203.0.113.7", "protocol": "https"})


def test_a_sleeping_request_is_in_progress_until_it_is_answered():
    async def scenario():
        app = SleepyApp()
        server, base = await _serve(app)
        try:
            async with httpx.AsyncClient() as client:
                request = asyncio.ensure_future(client.get(base + "/sleep?seconds=0.3"))
                await asyncio.sleep(0.15)
                during = len(app.in_progress)
                response = await request
                clamped = await client.get(base + "/sleep?seconds=-5")
        finally:
            await _stop(server)
            await app.close()  # there for a drain copied from lesson 12's, which ends with it
        return during, response.text, len(app.in_progress), clamped.text
    assert run(scenario()) == (1, "slept 0.3 s\n", 0, "slept 0 s\n")
