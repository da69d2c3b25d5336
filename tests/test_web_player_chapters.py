"""Chapters on an uploaded video in real headless Chromium: the educator writes them on the
player page (a bad time is refused before anything is sent), the player lists them and a
chapter's button seeks the video; a student reading Arabic gets them too."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest
from playwright.async_api import expect

from tests.conftest import Server
from tests.media import make_clip
from tests.room_client import demo_course_id
from tests.test_portal_api_videos import ready, upload
from tests.test_web_client import browser as shared_browser
from tests.test_web_client import log_in
from tests.test_web_room import OpenPage
from tests.test_web_room import open_page as shared_open_page

pytestmark = pytest.mark.browser
browser = shared_browser
open_page = shared_open_page

PLAYER = "document.querySelector('[data-testid=player]')"


async def test_an_educator_writes_chapters_that_seek_the_video(
    open_page: OpenPage, server: Server, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    course = await demo_course_id(http, server)
    clip = make_clip(tmp_path / "clip.mp4", 4).read_bytes()
    video_id = (await upload(http, server, course, clip, title="Chaptered"))[1]["id"]
    await ready(http, server, video_id)

    educator = await open_page("educator")
    await log_in(educator, server, "educator")
    await expect(educator.get_by_test_id("user-name")).to_be_visible()
    await educator.goto(server.url(f"/videos/{video_id}"))
    await expect(educator.get_by_test_id("chapters")).to_have_count(0)  # none yet
    form = educator.get_by_test_id("chapters-form")
    await form.get_by_test_id("chapter-add").click()
    await form.get_by_test_id("chapter-title").last.fill("Galileo")
    await form.get_by_test_id("chapter-add").click()
    await form.get_by_test_id("chapter-start").last.fill("2.5 s")
    await form.get_by_test_id("chapter-title").last.fill("البندول")
    await form.get_by_test_id("chapters-save").click()
    await expect(form.get_by_test_id("chapters-error")).to_contain_text("2.5 s")
    await form.get_by_test_id("chapter-start").last.fill("0:02.5")
    await form.get_by_test_id("chapters-save").click()

    chapters = educator.get_by_test_id("chapters")
    await expect(chapters.locator("button")).to_have_count(2)
    await expect(educator.get_by_test_id("chapter-2")).to_contain_text("البندول")
    await expect(educator.get_by_test_id("chapter-2")).to_contain_text("0:02")
    await educator.wait_for_function(f"() => {PLAYER}?.readyState >= 1")
    await educator.get_by_test_id("chapter-2").click()
    at = await educator.evaluate(f"() => {PLAYER}.currentTime")
    assert 2.4 <= at <= 2.6, at
    await expect(educator.get_by_test_id("chapter-2")).to_have_attribute("aria-current", "true")

    student = await open_page("student1")  # reads Arabic
    await log_in(student, server, "student1")
    await expect(student.get_by_test_id("user-name")).to_be_visible()
    await student.goto(server.url(f"/videos/{video_id}"))
    await expect(student.get_by_test_id("replay").locator("h2")).to_have_text("الفصول")
    await expect(student.get_by_test_id("chapter-1")).to_contain_text("Galileo")
    await expect(student.get_by_test_id("chapters-form")).to_have_count(0)  # educators only
    await expect(student.get_by_test_id("replay-slide")).to_have_count(0)  # an upload: no slides
