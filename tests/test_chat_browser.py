"""The chat page in a real browser: two headless Chromium pages chat through a running server.

Playwright drives Debian's ``chromium`` (``/usr/bin/chromium``; set ``CHROMIUM`` to use another
binary), since Playwright's own browser downloads are not possible on the course machines.
Without Chromium or Playwright these tests skip, except in CI (``TORNADO_LAB_CI=1``), where
they fail. Screenshots land in ``test-artifacts/``. One test runs a real Jupyter server with
jupyter-server-proxy in front of the chat, as on JupyterHub (``/user/NAME/proxy/PORT/``).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import labsupport

from .browser import CHROMIUM, FLAGS, missing_browser, require
from .chat_helpers import serving
from .conftest import ROOT, run

ARTIFACTS = ROOT / "test-artifacts"
TIMEOUT_MS = 10_000
TOKEN = "browser-test-token"


@pytest.fixture(autouse=True)
def _browser_available():
    require(missing_browser())


@contextlib.asynccontextmanager
async def two_pages(url: str) -> AsyncIterator[tuple]:
    """Two pages of one headless Chromium, both open at ``url``; everything closed after."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            context = await browser.new_context(viewport={"width": 720, "height": 480})
            context.set_default_timeout(TIMEOUT_MS)
            alice, bob = await context.new_page(), await context.new_page()
            for page in (alice, bob):
                await page.goto(url)
            yield alice, bob
        finally:
            await browser.close()


async def say(page, text: str) -> None:
    await page.fill("#body", text)
    await page.click("button[type=submit]")


async def expect_message(page, text: str) -> None:
    from playwright.async_api import expect

    await expect(page.locator("#messages li").filter(has_text=text)).to_have_count(1, timeout=TIMEOUT_MS)


def screenshot(page, name: str):
    ARTIFACTS.mkdir(exist_ok=True)
    return page.screenshot(path=str(ARTIFACTS / name))


def test_two_pages_chat_over_a_websocket_and_see_the_goodbye():
    async def scenario():
        async with serving() as chat, two_pages(chat.url) as (alice, bob):
            from playwright.async_api import expect

            for page in (alice, bob):
                await expect(page.locator("#status")).to_have_text("connected over a WebSocket")
            await say(alice, "Hello from Alice's tab")
            await expect_message(bob, "Hello from Alice's tab")
            await say(bob, "Hi Alice, Bob here <b>not bold</b>")
            await expect_message(alice, "Hi Alice, Bob here <b>not bold</b>")
            assert await alice.locator("#messages b").count() == 0  # shown as text, never as HTML
            await screenshot(bob, "chat-websocket.png")
            await chatroom_shutdown(chat)
            await expect(bob.locator("#status")).to_have_text("disconnected: code 1001, the chat server is shutting down")
            await screenshot(bob, "chat-websocket-closed.png")
    run(scenario(), timeout=60)


def test_two_pages_chat_by_long_polling():
    async def scenario():
        async with serving() as chat, two_pages(chat.url + "poll") as (alice, bob):
            from playwright.async_api import expect

            await expect(bob.locator("#status")).to_have_text("waiting for messages by long polling")
            await say(alice, "Polling hello from Alice")  # a POST with the page's XSRF token
            await expect_message(bob, "Polling hello from Alice")
            await expect_message(alice, "Polling hello from Alice")
            await say(bob, "Bob answers by long polling")
            await expect_message(alice, "Bob answers by long polling")
            assert [m["body"] for m in chat.room.buffer.since(0)] == ["Polling hello from Alice", "Bob answers by long polling"]
            await screenshot(bob, "chat-long-polling.png")
    run(scenario(), timeout=60)


def test_the_page_works_behind_jupyter_server_proxy(tmp_path):
    """As on JupyterHub: the page at /user/ada/proxy/PORT/, its socket and posts through Jupyter's proxy."""
    async def scenario():
        async with serving() as chat:
            jupyter = await asyncio.to_thread(
                labsupport.serve_process,
                ["{python}", "-m", "jupyter", "server", "--port={port}", "--ServerApp.ip={host}",
                 "--ServerApp.base_url=/user/ada/", f"--IdentityProvider.token={TOKEN}",
                 "--ServerApp.port_retries=0", "--ServerApp.open_browser=False", "--ServerApp.allow_root=True"],
                name="jupyter-server", env={"JUPYTER_RUNTIME_DIR": str(tmp_path)}, ready_timeout=60)
            try:
                base = f"{jupyter.url}user/ada/"
                proxied = f"{base}proxy/{chat.server.port}/"
                async with two_pages(f"{base}api/status?token={TOKEN}") as (alice, bob):
                    from playwright.async_api import expect

                    await alice.goto(proxied)          # the WebSocket page
                    await bob.goto(proxied + "poll")   # the long-polling page, same room
                    await expect(alice.locator("#status")).to_have_text("connected over a WebSocket")
                    await say(alice, "Through the proxy by WebSocket")
                    await expect_message(bob, "Through the proxy by WebSocket")
                    await say(bob, "Through the proxy by long polling")
                    await expect_message(alice, "Through the proxy by long polling")
                    await screenshot(alice, "chat-behind-proxy.png")
                    cookies = {c["name"]: c for c in await alice.context.cookies()}
                    assert "chat_xsrf" in cookies and "_xsrf" not in cookies  # Jupyter's own cookie name left alone
            finally:
                await asyncio.to_thread(jupyter.stop)
    run(scenario(), timeout=90)


async def chatroom_shutdown(chat) -> None:
    from .chat_helpers import chatroom

    await chatroom.shutdown(chat.app, chat.server)
