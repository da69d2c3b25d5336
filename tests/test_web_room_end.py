"""Ending a lecture from the browser room: the educator gets no error and lands on the course
page, where the lecture says what became of its recording (not recorded; processing, then ready
with a link to the video); a student in the room is told the lecture has ended and given the way
to the course page (in Arabic for Lina, who prefers it)."""

from __future__ import annotations

import asyncio
import re

import aiohttp
import pytest
from playwright.async_api import Locator, Page, expect
from playwright.async_api import TimeoutError as PlaywrightTimeout

from tests.conftest import Server, bearer
from tests.room_client import demo_course_id
from tests.test_recording_service import enter, publish_camera_and_microphone
from tests.test_recording_service import media_server as shared_media_server
from tests.test_web_client import browser as shared_browser
from tests.test_web_room import OpenPage, create_lecture, enter_room, wait_until_live
from tests.test_web_room import open_page as shared_open_page

pytestmark = pytest.mark.browser
browser = shared_browser
open_page = shared_open_page
media_server = shared_media_server

PROCESSED_MS = 90_000  # a few seconds of recording, remuxed on a shared 2-core machine

# Remembers, across the navigation that follows, any error the room showed.
WATCH_ROOM_ERRORS = """() => {
  const seen = () => {
    const error = document.querySelector("[data-testid=room-error]");
    if (error && !error.hidden) sessionStorage.setItem("roomError", error.textContent);
  };
  new MutationObserver(seen).observe(document.body, {
    subtree: true, childList: true, attributes: true, characterData: true,
  });
}"""


async def end_from_the_room(edu: Page, course_id: int, lecture_id: int) -> None:
    """The educator ends the lecture and lands on its course page without an error."""
    await edu.evaluate(WATCH_ROOM_ERRORS)
    edu.once("dialog", lambda dialog: dialog.accept())
    await edu.get_by_test_id("end-lecture").click()
    try:
        await edu.wait_for_url(re.compile(rf"/courses/{course_id}#lecture-{lecture_id}$"))
    except PlaywrightTimeout:
        shown = await edu.evaluate("sessionStorage.getItem('roomError')")
        raise AssertionError(f"still at {edu.url}; the room showed {shown!r}") from None
    assert await edu.evaluate("sessionStorage.getItem('roomError')") is None
    await expect(edu.get_by_test_id("course-title")).to_be_visible()


def lecture_item(page: Page, lecture_id: int) -> Locator:
    return page.locator(f"[data-testid=lecture-item][data-lecture-id='{lecture_id}']")


async def test_the_educator_ends_an_unrecorded_lecture_and_lands_on_the_course_page(
    open_page: OpenPage, server: Server, http: aiohttp.ClientSession
) -> None:
    lecture_id = await create_lecture(http, server, "Ends without a recording")
    course_id = await demo_course_id(http, server)
    edu, student = await open_page("educator"), await open_page("student2")
    for page, name in ((edu, "educator"), (student, "student2")):
        await enter_room(page, server, name, lecture_id)
        await wait_until_live(page)

    await end_from_the_room(edu, course_id, lecture_id)
    await expect(edu.get_by_test_id("lecture-just-ended")).to_have_text(
        "The lecture “Ends without a recording” has ended."
    )
    item = lecture_item(edu, lecture_id)
    await expect(item).to_have_attribute("data-status", "ended")
    await expect(item).to_have_class(re.compile(r"\bhighlight\b"))
    await expect(item.get_by_test_id("lecture-recording-status")).to_have_text("Not recorded")
    await expect(item.get_by_test_id("lecture-recording-watch")).to_have_count(0)
    await expect(item.get_by_test_id("lecture-end")).to_have_count(0)

    # The student stays on the room page, told it is over, with the way to the course.
    await expect(student.get_by_test_id("lecture-ended")).to_contain_text("The lecture has ended.")
    await expect(student.get_by_test_id("connection-banner")).to_be_hidden()
    await expect(student.get_by_test_id("room-error")).to_be_hidden()
    await student.get_by_test_id("ended-way-on").click()
    await student.wait_for_url(re.compile(rf"/courses/{course_id}#lecture-{lecture_id}$"))
    await expect(
        lecture_item(student, lecture_id).get_by_test_id("lecture-recording-status")
    ).to_have_text("Not recorded")


async def test_the_educator_ends_a_recorded_lecture_and_sees_its_video_come(
    open_page: OpenPage, media_server: Server, http: aiohttp.ClientSession
) -> None:
    server = media_server
    lecture_id = await create_lecture(http, server, "Ends with a recording")
    course_id = await demo_course_id(http, server)
    # A few seconds of camera and microphone recorded from an aiortc educator, who then
    # leaves: the browsers in the room below have no media of their own to negotiate.
    publisher = await enter(http, server, lecture_id, "educator")
    try:
        await publish_camera_and_microphone(publisher)
        assert (await publisher.call("recording:start", {}))["ok"]
        await asyncio.sleep(3)
    finally:
        await publisher.leave()

    edu, student = await open_page("educator"), await open_page("student1")  # Lina reads Arabic
    for page, name in ((edu, "educator"), (student, "student1")):
        await enter_room(page, server, name, lecture_id)
        await wait_until_live(page)
    await expect(edu.get_by_test_id("recording-indicator")).to_be_visible()

    await end_from_the_room(edu, course_id, lecture_id)
    recording = lecture_item(edu, lecture_id).get_by_test_id("lecture-recording")
    # The video exists from the moment the ack comes: processing (or already ready), never
    # "not recorded".
    await expect(recording).to_have_attribute("data-recording", re.compile("processing|ready"))
    await expect(recording.get_by_test_id("lecture-recording-status")).to_have_text(
        re.compile("Recording is being processed…|Recording ready")
    )
    await expect(recording).to_have_attribute("data-recording", "ready", timeout=PROCESSED_MS)
    watch = edu.get_by_test_id("lecture-recording-watch")
    await expect(watch).to_have_text("Watch the recording")
    await watch.click()
    await edu.wait_for_url(re.compile(r"/videos/\d+$"))
    await expect(edu.get_by_test_id("player")).to_be_visible()

    await expect(student.get_by_test_id("lecture-ended")).to_contain_text("انتهت المحاضرة")
    way_on = student.get_by_test_id("ended-way-on")
    await expect(way_on).to_have_text("اذهب إلى صفحة المقرر")
    await way_on.click()
    await student.wait_for_url(re.compile(rf"/courses/{course_id}#lecture-{lecture_id}$"))
    await expect(student.get_by_test_id("lecture-just-ended")).to_contain_text(
        "انتهت المحاضرة «Ends with a recording»"
    )
    await expect(
        lecture_item(student, lecture_id).get_by_test_id("lecture-recording-status")
    ).to_have_text("التسجيل جاهز")
    await expect(student.get_by_test_id("lecture-recording-watch")).to_have_text("شاهد التسجيل")

    # The lecture names its recording only to those who may watch it.
    video_id = int(edu.url.rsplit("/", 1)[1])
    lecture_url = server.url(f"/api/v1/lectures/{lecture_id}")
    educator, lina = await bearer(http, server, "educator"), await bearer(http, server, "student1")
    async with http.get(lecture_url, headers=lina) as response:
        assert (await response.json())["recording"] == {"video_id": video_id, "status": "ready"}
    async with http.patch(
        server.url(f"/api/v1/videos/{video_id}"), json={"visibility": "private"}, headers=educator
    ) as response:
        assert response.status == 200, await response.text()
    async with http.get(lecture_url, headers=lina) as response:
        assert (await response.json())["recording"] is None
    async with http.get(lecture_url, headers=educator) as response:
        assert (await response.json())["recording"]["video_id"] == video_id
