"""The recording control in the browser room: the educator starts and stops recording and
everyone sees the indicator; students have no control, and a late joiner sees it at once."""

from __future__ import annotations

import aiohttp
import pytest
from playwright.async_api import expect

from tests.conftest import Server
from tests.test_web_client import browser as shared_browser
from tests.test_web_room import OpenPage, create_lecture, enter_room, wait_until_live
from tests.test_web_room import open_page as shared_open_page

pytestmark = pytest.mark.browser
browser = shared_browser
open_page = shared_open_page


async def test_everyone_sees_when_the_lecture_is_recorded(
    open_page: OpenPage, server: Server, http: aiohttp.ClientSession
) -> None:
    lecture_id = await create_lecture(http, server, f"Recorded {server.extra['database']}")
    edu, student = await open_page("educator"), await open_page("student1")
    for page, name in ((edu, "educator"), (student, "student1")):
        await enter_room(page, server, name, lecture_id)
        await wait_until_live(page)
    toggle = edu.get_by_test_id("recording-toggle")
    await expect(toggle).to_have_text("Start recording")
    await expect(student.get_by_test_id("recording-toggle")).to_be_hidden()
    for page in (edu, student):
        await expect(page.get_by_test_id("recording-indicator")).to_be_hidden()

    await toggle.click()
    for page in (edu, student):
        await expect(page.get_by_test_id("recording-indicator")).to_be_visible()
    await expect(toggle).to_have_text("Stop recording")
    late = await open_page("student2")
    await enter_room(late, server, "student2", lecture_id)
    await wait_until_live(late)
    await expect(late.get_by_test_id("recording-indicator")).to_be_visible()

    await toggle.click()
    for page in (edu, student, late):
        await expect(page.get_by_test_id("recording-indicator")).to_be_hidden()
    await expect(toggle).to_have_text("Start recording")
