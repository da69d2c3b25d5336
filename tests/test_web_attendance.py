"""The attendance pages in real headless Chromium: the educator finds a past lecture's
attendance from the course page, sorts it, downloads the CSV, reads it in Arabic (right to
left), and opens the course's view; a student sees their own row only; from the live room, the
educator sees who is in it now."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from playwright.async_api import Locator, Page, expect

from tests.conftest import Server, bearer
from tests.room_client import join
from tests.test_portal_api_attendance import attendance_class, take_part
from tests.test_web_client import browser as shared_browser
from tests.test_web_client import log_in
from tests.test_web_room import OpenPage, enter_room, wait_until_live
from tests.test_web_room import open_page as shared_open_page

pytestmark = pytest.mark.browser
browser = shared_browser
open_page = shared_open_page


def row_of(page: Page, name: str) -> Locator:
    return page.get_by_test_id("attendance-row").filter(
        has=page.get_by_test_id("attendance-name").get_by_text(name, exact=True)
    )


async def test_the_educator_reads_sorts_and_downloads_attendance(
    open_page: OpenPage, server: Server, http: aiohttp.ClientSession
) -> None:
    course_id, lecture, tricky = await attendance_class(http, server)
    for participant in await take_part(http, server, lecture):
        await participant.leave()
    await asyncio.sleep(0.5)
    educator = await bearer(http, server, "educator")
    end = server.url(f"/api/v1/lectures/{lecture}/end")
    async with http.post(end, headers=educator) as response:
        assert response.status == 200

    page = await open_page("educator")
    await log_in(page, server, "educator")
    await expect(page.get_by_test_id("user-name")).to_be_visible()
    await page.goto(server.url(f"/courses/{course_id}"))
    item = page.locator(f"#lecture-{lecture}")
    await item.get_by_test_id("lecture-attendance").click()
    await expect(page).to_have_url(server.url(f"/lectures/{lecture}/attendance"))
    await expect(page.get_by_test_id("attendance-summary")).to_have_text("2 of 3 students attended")
    rows = page.get_by_test_id("attendance-row")
    await expect(rows).to_have_count(4)
    lina = row_of(page, "Lina Saleh")
    await expect(lina.get_by_test_id("attendance-joins")).to_have_text("2")
    stays = await lina.get_by_test_id("attendance-joins").get_attribute("title")
    assert stays is not None and len(stays.splitlines()) == 2, "each join and leave on hover"
    await expect(lina.get_by_test_id("attendance-chat_messages")).to_have_text("2")
    await expect(lina.get_by_test_id("attendance-hands_raised")).to_have_text("1")
    await expect(lina.get_by_test_id("attendance-state")).to_have_text("Present")
    absent = page.get_by_test_id("attendance-row").filter(has_text="HYPERLINK")
    await expect(absent.get_by_test_id("attendance-state")).to_have_text("Absent")

    chat = page.get_by_test_id("sort-chat_messages")
    await chat.click()
    await chat.click()  # most messages first
    await expect(page.locator("th[data-column=chat_messages]")).to_have_attribute(
        "aria-sort", "descending"
    )
    await expect(rows.first.get_by_test_id("attendance-name")).to_have_text("Lina Saleh")
    await page.get_by_test_id("sort-name").click()
    await expect(rows.last.get_by_test_id("attendance-name")).to_have_text("Omar Khalil")

    async with page.expect_download() as download_info:
        await page.get_by_test_id("attendance-csv").click()
    download = await download_info.value
    text = (await download.path()).read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("username,name,role,attended")
    assert f"{tricky},\"'=HYPERLINK(" in text

    await page.get_by_test_id("lang-switch").select_option("ar")
    await expect(page.locator("html")).to_have_attribute("dir", "rtl")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("الحضور")
    await expect(lina.get_by_test_id("attendance-state")).to_have_text("حاضر")
    await expect(page.get_by_test_id("sort-talk_seconds")).to_have_text("مدة الحديث")
    await page.get_by_test_id("lang-switch").select_option("en")
    await expect(page.locator("html")).to_have_attribute("dir", "ltr")

    await page.get_by_test_id("attendance-back").click()
    await page.get_by_test_id("course-attendance-link").click()
    await expect(page.get_by_test_id("attendance-held")).to_have_text("1 lecture held")
    await expect(page.get_by_test_id("attendance-row")).to_have_count(3)
    await expect(row_of(page, "Lina Saleh").get_by_test_id("attendance-lectures")).to_have_text(
        "1 of 1"
    )
    await expect(
        row_of(page, "Omar Khalil").get_by_test_id("attendance-poll_answers")
    ).to_have_text("1")

    student = await open_page("student1")
    await log_in(student, server, "student1")
    await expect(student.get_by_test_id("user-name")).to_be_visible()
    await student.goto(server.url(f"/lectures/{lecture}/attendance"))
    await expect(student.locator("html")).to_have_attribute("dir", "rtl")  # Lina reads Arabic
    await expect(student.get_by_test_id("attendance-row")).to_have_count(1)
    await expect(row_of(student, "Lina Saleh").get_by_test_id("attendance-joins")).to_have_text("2")
    await expect(student.get_by_test_id("attendance-csv")).to_have_count(0)


async def test_the_educator_opens_attendance_from_the_live_room(
    open_page: OpenPage, server: Server, http: aiohttp.ClientSession
) -> None:
    _course, lecture, _tricky = await attendance_class(http, server)
    student = await join(http, server, lecture, "student2")
    try:
        page = await open_page("educator")
        await enter_room(page, server, "educator", lecture)
        await wait_until_live(page)
        async with page.context.expect_page() as opened:
            await page.get_by_test_id("room-attendance").click()
        tab = await opened.value
        await expect(tab.get_by_test_id("attendance-row")).to_have_count(4)
        for name in ("Dr. Amal Haddad", "Omar Khalil"):
            await expect(row_of(tab, name).get_by_test_id("attendance-state")).to_contain_text(
                "in the room now"
            )
        await expect(row_of(tab, "Lina Saleh").get_by_test_id("attendance-state")).to_have_text(
            "Absent"
        )
        await expect(page.get_by_test_id("roster")).to_be_visible()  # the room stays open
    finally:
        await student.leave()
