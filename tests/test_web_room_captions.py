"""Live captions in the browser room: the educator makes a student captioner, the student types
an Arabic line, and another viewer who turned captions on sees it over the slide, right to
left; turning captions off hides them, and the choice and the last lines outlive a reload."""

from __future__ import annotations

import aiohttp
import pytest
from playwright.async_api import expect

from tests.conftest import Server
from tests.test_web_client import browser as shared_browser
from tests.test_web_room import OpenPage, create_lecture, enter_room, user_id, wait_until_live
from tests.test_web_room import open_page as shared_open_page

pytestmark = pytest.mark.browser
browser = shared_browser
open_page = shared_open_page

ARABIC = "أهلاً بكم في محاضرة اليوم"


async def test_a_student_captioner_types_arabic_that_another_viewer_sees(
    open_page: OpenPage, server: Server, http: aiohttp.ClientSession
) -> None:
    lecture_id = await create_lecture(http, server, f"Captioned {server.extra['database']}")
    captioner_id = await user_id(http, server, "student1")
    edu, captioner, viewer = [await open_page(n) for n in ("educator", "student1", "student2")]
    for page, name in ((edu, "educator"), (captioner, "student1"), (viewer, "student2")):
        await enter_room(page, server, name, lecture_id)
        await wait_until_live(page)
    await expect(captioner.get_by_test_id("caption-form")).to_be_hidden()
    await expect(edu.get_by_test_id("caption-form")).to_be_visible()  # educators caption unasked

    # The educator makes student1 captioner from the roster.
    row = edu.locator(f"[data-testid=roster-item][data-user-id='{captioner_id}']")
    await row.get_by_test_id("assign-captioner").click()
    await expect(row.get_by_test_id("assign-captioner")).to_have_text("Stop captioning")
    await expect(captioner.get_by_test_id("caption-form")).to_be_visible()
    await expect(viewer.get_by_test_id("caption-form")).to_be_hidden()
    await expect(viewer.get_by_test_id("captioner-badge")).to_have_count(1)

    # The viewer turns captions on; the educator leaves them off.
    toggle = viewer.get_by_test_id("captions-toggle")
    await expect(toggle).to_have_text("Show captions (CC)")
    await toggle.click()
    await expect(toggle).to_have_attribute("aria-pressed", "true")

    # What the captioner types shows as a preview, then as the line once sent.
    await captioner.get_by_test_id("caption-lang").select_option("ar")
    await captioner.get_by_test_id("caption-input").fill(ARABIC)
    preview = viewer.get_by_test_id("caption-preview")
    await expect(preview).to_have_text(ARABIC)
    await captioner.get_by_test_id("caption-input").press("Enter")
    line = viewer.get_by_test_id("captions-overlay").get_by_test_id("caption-line")
    await expect(line).to_have_text(ARABIC)
    await expect(preview).to_have_count(0)
    assert await line.evaluate("el => getComputedStyle(el).direction") == "rtl"
    assert await line.evaluate("el => el.matches(':dir(rtl)')")
    assert await line.get_attribute("lang") == "ar"
    await expect(captioner.get_by_test_id("caption-input")).to_have_value("")
    await expect(edu.get_by_test_id("captions-overlay")).to_be_hidden()

    # Off hides the overlay; the choice is remembered, and the last line comes back on.
    await toggle.click()
    await expect(viewer.get_by_test_id("captions-overlay")).to_be_hidden()
    await viewer.reload()
    await wait_until_live(viewer)
    await expect(viewer.get_by_test_id("captions-toggle")).to_have_attribute(
        "aria-pressed", "false"
    )
    await expect(viewer.get_by_test_id("captions-overlay")).to_be_hidden()
    await viewer.get_by_test_id("captions-toggle").click()
    await expect(viewer.get_by_test_id("caption-line")).to_have_text(ARABIC)

    # The educator stops the captioning: the box goes from the student's page.
    await row.get_by_test_id("assign-captioner").click()
    await expect(captioner.get_by_test_id("caption-form")).to_be_hidden()
    await expect(viewer.get_by_test_id("captioner-badge")).to_have_count(0)
