"""Lesson 11's pages at /web/ in a real Chromium: log in, add a task through the form, in four languages.

Chromium (Debian's, driven by Playwright as in test_todo_browser.py) asks for the page with a
German ``Accept-Language``, logs in through the login form, adds a task through the form (the
form carries its ``_xsrf`` token, as a browser sends it) and sees it listed. Then, with four more
tasks (one named ``<script>``, which must show as text and never run), the page is opened in
English, Polish and Japanese, and once switched to German with the language buttons. A
screenshot per language lands in ``test-artifacts/todo-web-<code>.png``.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest

from labsupport.servers.todo import sqlite_url

from .browser import CHROMIUM, FLAGS, missing_browser, require
from .conftest import ROOT, run
from .todo_helpers import PASSWORD, serving

ARTIFACTS = ROOT / "test-artifacts"
TIMEOUT_MS = 10_000
SCRIPT = "<script>alert('planted')</script>"
# language: (Accept-Language, <html lang>, the count of 5 tasks, the first task's due date)
LANGUAGES = {
    "en_US": ("en-US,en;q=0.9", "en-US", "5 tasks", "due December 24, 2030"),
    "pl": ("pl", "pl", "5 zadań", "termin: 24 grudnia 2030"),
    "ja": ("ja", "ja", "5 件のタスク", "期限: 2030年12月24日"),
}


@pytest.fixture(autouse=True)
def _browser_available():
    require(missing_browser())


@contextlib.asynccontextmanager
async def chromium() -> AsyncIterator:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            yield browser
        finally:
            await browser.close()


async def open_page(browser, url: str, accept_language: str, dialogs: list[str]):
    """A page of a new context (its own cookies) that asks in ``accept_language``; alerts go to ``dialogs``."""
    context = await browser.new_context(extra_http_headers={"Accept-Language": accept_language},
                                        viewport={"width": 900, "height": 640})
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    await page.goto(url + "/web/")
    return page


async def log_in(page, log_in_label: str) -> None:
    await page.fill("input[name=username]", "ada")
    await page.fill("input[name=password]", PASSWORD)
    async with page.expect_navigation():
        await page.get_by_role("button", name=log_in_label).click()


def test_log_in_and_add_a_task_through_the_page_in_four_languages(tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)

    async def scenario() -> None:
        from playwright.async_api import expect

        async with serving(sqlite_url(tmp_path / "todo.db")) as todo, chromium() as browser:
            ada = todo.client()
            await ada.register("ada")
            dialogs: list[str] = []

            page = await open_page(browser, todo.url, "fr-CH, de;q=0.9, en;q=0.8", dialogs)
            await expect(page.locator("html")).to_have_attribute("lang", "de")
            await expect(page.locator("h1")).to_have_text("Anmelden")
            await log_in(page, "Anmelden")
            await expect(page.locator("#task-count")).to_have_text("0 Aufgaben")
            await page.get_by_label("Neue Aufgabe").fill("Milch kaufen")
            await page.get_by_label("Fällig am").fill("2030-12-24")
            async with page.expect_navigation():
                await page.get_by_role("button", name="Hinzufügen").click()
            assert page.url == todo.url + "/web/"  # the 303 after the form: a reload posts nothing
            await expect(page.locator("#task-count")).to_have_text("1 Aufgabe")
            await expect(page.locator("ul.tasks li .name")).to_have_text(["Milch kaufen"])
            await expect(page.locator("ul.tasks li .due")).to_have_text(["fällig am 24. Dezember 2030"])
            await page.screenshot(path=ARTIFACTS / "todo-web-de.png", full_page=True)
            assert [task["name"] for task in await ada.tasks()] == ["Milch kaufen"]  # the API sees it too

            for name in ("Call Ada", SCRIPT, "Water the plants", "書類を出す"):
                await ada.add_task(name=name)
            for code, (accept, lang, count, due) in LANGUAGES.items():
                page = await open_page(browser, todo.url, accept, dialogs)
                await expect(page.locator("html")).to_have_attribute("lang", lang)
                await log_in(page, await page.locator("form[action='/web/login'] button").inner_text())
                await expect(page.locator("#task-count")).to_have_text(count)
                await expect(page.locator("ul.tasks li .name")).to_have_text(
                    ["Milch kaufen", "Call Ada", SCRIPT, "Water the plants", "書類を出す"])
                await expect(page.locator("ul.tasks li .due")).to_have_text([due])
                await page.screenshot(path=ARTIFACTS / f"todo-web-{code}.png", full_page=True)
            async with page.expect_navigation():  # the Japanese page, switched by its language buttons
                await page.get_by_role("button", name="Deutsch").click()
            await expect(page.locator("html")).to_have_attribute("lang", "de")
            await expect(page.locator("#task-count")).to_have_text("5 Aufgaben")
            assert dialogs == [], f"a task's name ran as a script: {dialogs}"

    run(scenario(), timeout=120)
