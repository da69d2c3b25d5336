"""The browser app in real headless Chromium: login, dashboard, Arabic right-to-left."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from tests.conftest import PASSWORD, Server

CHROMIUM = os.environ.get("QOU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context(locale="en-US")
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # The server's Content-Security-Policy must never have to block the app's own code.
    page.on(
        "console",
        lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    yield page
    await context.close()
    assert errors == [], f"script errors in the page: {errors}"


async def log_in(page: Page, server: Server, username: str) -> None:
    await page.goto(server.url("/"))
    form = page.locator("#login-form")
    await form.locator("input[name=username]").fill(username)
    await form.locator("input[name=password]").fill(PASSWORD)
    await form.locator("button[type=submit]").click()


async def test_educator_logs_in_and_sees_the_course(page: Page, server: Server) -> None:
    await log_in(page, server, "educator")
    card = page.get_by_test_id("course-card").filter(has_text="Introduction to Open Learning")
    await expect(card).to_be_visible()
    await expect(page.get_by_test_id("user-name")).to_have_text("Dr. Amal Haddad")
    await expect(page.locator("html")).to_have_attribute("dir", "ltr")


async def test_wrong_password_shows_an_error(page: Page, server: Server) -> None:
    await page.goto(server.url("/"))
    await page.locator("input[name=username]").fill("educator")
    await page.locator("input[name=password]").fill("wrong-password")
    await page.locator("#login-form button[type=submit]").click()
    await expect(page.get_by_test_id("login-error")).not_to_be_empty()
    await expect(page.get_by_test_id("course-list")).to_have_count(0)


async def test_student_switches_to_arabic_and_the_page_is_rtl(page: Page, server: Server) -> None:
    await log_in(page, server, "student2")
    demo_card = page.get_by_test_id("course-card").filter(has_text="Introduction to Open Learning")
    await expect(demo_card).to_be_visible()
    await page.get_by_test_id("lang-switch").select_option("ar")
    html = page.locator("html")
    await expect(html).to_have_attribute("dir", "rtl")
    await expect(html).to_have_attribute("lang", "ar")
    await expect(page.get_by_test_id("dashboard-heading")).to_have_text("مقرراتي")
    direction = await page.get_by_test_id("course-list").evaluate(
        "el => getComputedStyle(el).direction"
    )
    assert direction == "rtl"
    await page.reload()
    await expect(page.locator("html")).to_have_attribute("dir", "rtl")
    await page.get_by_test_id("logout").click()
    await expect(page.locator("#login-form")).to_be_visible()
    await page.get_by_test_id("lang-switch").select_option("en")
