"""The course page's repository links and the dashboard's calendar address, in real headless
Chromium: an educator adds a resource with its Dublin Core facts, a student sees and follows it;
the calendar link serves the user's ICS feed."""

from __future__ import annotations

import re
from pathlib import Path

import aiohttp
import pytest
from playwright.async_api import expect

from tests.conftest import Server, bearer
from tests.documents import make_pdf
from tests.room_client import live_lecture
from tests.test_web_client import browser as shared_browser
from tests.test_web_client import log_in
from tests.test_web_library import open_course
from tests.test_web_room import OpenPage
from tests.test_web_room import open_page as shared_open_page

pytestmark = pytest.mark.browser
browser = shared_browser
open_page = shared_open_page


async def test_educator_adds_a_resource_that_a_student_sees(
    open_page: OpenPage, server: Server
) -> None:
    title = f"Open learning reader {server.extra['database']}"
    edu = await open_page("educator")
    await open_course(edu, server, "educator")
    form = edu.get_by_test_id("resource-form")
    await form.locator("input[name=title]").fill(title)
    await form.locator("select[name=kind]").select_option("book")
    await form.locator("input[name=url]").fill("javascript:alert(1)")
    await form.locator("input[name=creator]").fill("Tait, A.")
    await form.locator("input[name=licence]").fill("CC BY 4.0")
    # type=url accepts any absolute URL, javascript: too; the server refuses it.
    await form.locator("button[type=submit]").click()
    await expect(edu.get_by_test_id("resource-form-error")).not_to_be_empty()
    await expect(edu.get_by_test_id("resource-item").filter(has_text=title)).to_have_count(0)
    await form.locator("input[name=url]").fill("https://dspace.qou.edu/handle/123/456")
    await form.locator("button[type=submit]").click()
    added = edu.get_by_test_id("resource-item").filter(has_text=title)
    await expect(added).to_have_attribute("data-kind", "book")

    student = await open_page("student1")
    await open_course(student, server, "student1")
    seen = student.get_by_test_id("resource-item").filter(has_text=title)
    await expect(seen.get_by_test_id("resource-link")).to_have_attribute(
        "href", "https://dspace.qou.edu/handle/123/456"
    )
    await expect(seen).to_contain_text("Tait, A.")
    await expect(seen).to_contain_text("CC BY 4.0")
    await expect(student.get_by_test_id("resource-form")).to_have_count(0)
    await expect(seen.get_by_test_id("resource-delete")).to_have_count(0)

    await added.get_by_test_id("resource-delete").click()
    await expect(edu.get_by_test_id("resource-item").filter(has_text=title)).to_have_count(0)


async def test_the_dashboard_links_the_users_calendar_feed(
    open_page: OpenPage, server: Server, http: aiohttp.ClientSession
) -> None:
    page = await open_page("student1")
    await log_in(page, server, "student1")
    link = page.get_by_test_id("calendar-link")
    await expect(link).to_have_attribute("href", re.compile(r"/api/v1/calendar/.+\.ics$"))
    href = await link.get_attribute("href")
    assert href is not None and href.startswith(server.base_url)
    async with http.get(href) as response:  # no cookie, no bearer: the address is the secret
        assert response.status == 200
        assert response.content_type == "text/calendar"
        assert "BEGIN:VCALENDAR" in await response.text()


async def test_the_dashboard_sets_the_address_notifications_go_to(
    open_page: OpenPage, server: Server, http: aiohttp.ClientSession
) -> None:
    page = await open_page("student2")
    await log_in(page, server, "student2")
    form = page.get_by_test_id("email-form")
    await form.get_by_test_id("email-input").fill("omar@")
    await form.evaluate("f => f.noValidate = true")  # past the browser's check: the server's
    await form.get_by_test_id("email-save").click()
    await expect(page.get_by_test_id("email-error")).not_to_be_empty()
    await form.get_by_test_id("email-input").fill("omar@example.org")
    await form.get_by_test_id("email-save").click()
    await expect(page.get_by_test_id("email-saved")).not_to_be_empty()
    await expect(page.get_by_test_id("email-error")).to_be_empty()
    headers = await bearer(http, server, "student2")
    async with http.get(server.url("/api/v1/me"), headers=headers) as response:
        assert (await response.json())["email"] == "omar@example.org"
    await page.reload()
    await expect(page.get_by_test_id("email-input")).to_have_value("omar@example.org")


async def test_the_dashboard_shows_what_is_live_now(
    open_page: OpenPage, server: Server, http: aiohttp.ClientSession
) -> None:
    lecture = await live_lecture(http, server)
    page = await open_page("student2")
    await log_in(page, server, "student2")
    entry = page.get_by_test_id("live-now").get_by_test_id("live-lecture")
    join = entry.get_by_test_id("live-lecture-join").and_(
        page.locator(f'[href="/lectures/{lecture}"]')
    )
    await expect(join).to_have_count(1)
    await join.click()
    await expect(page).to_have_url(server.url(f"/lectures/{lecture}"))


async def test_an_educator_shares_a_presentation_anyone_can_open(
    open_page: OpenPage, server: Server, tmp_path: Path
) -> None:
    deck = tmp_path / "Optics slides.pdf"
    deck.write_bytes(make_pdf(["Reflection", "Refraction"]))
    edu = await open_page("educator")
    await open_course(edu, server, "educator")
    await edu.get_by_test_id("presentation-file").set_input_files(deck)
    item = edu.get_by_test_id("presentation").filter(has_text="Optics slides").last
    await expect(item).to_have_attribute("data-status", "ready", timeout=30_000)
    await expect(item.get_by_test_id("presentation-status")).to_have_text("2 pages")
    await item.get_by_test_id("presentation-public").check()
    share = item.get_by_test_id("presentation-share")
    await expect(share).to_be_visible()
    href = await share.get_attribute("href")
    assert href is not None and href.startswith("/decks/")

    anyone = await open_page("anonymous")  # never logged in
    await anyone.goto(server.url(href))
    await expect(anyone.get_by_test_id("deck-title")).to_have_text("Optics slides")
    pages = anyone.get_by_test_id("deck-page")
    await expect(pages).to_have_count(2)
    await pages.first.scroll_into_view_if_needed()
    await anyone.wait_for_function(
        "() => { const img = document.querySelector('[data-testid=deck-page]');"
        " return img.complete && img.naturalWidth > 0; }"
    )
    await expect(anyone.get_by_test_id("deck-download")).to_have_count(0)  # not offered

    await item.get_by_test_id("presentation-public").uncheck()
    await expect(item.get_by_test_id("presentation-share")).to_have_count(0)
    await anyone.reload()
    await expect(anyone.locator("#login-form")).to_be_visible()  # no longer shared
