"""The educator's room on a common laptop screen (1366x768): the participants, the chat (its
box to type in too) and the polls are in view without scrolling the page, beside the slide."""

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
WIDTH, HEIGHT = 1366, 768


async def test_the_educators_room_fits_a_laptop_screen(
    open_page: OpenPage, server: Server, http: aiohttp.ClientSession
) -> None:
    lecture = await create_lecture(http, server, "Layout check")
    page = await open_page("educator")
    await page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    await enter_room(page, server, "educator", lecture)
    await wait_until_live(page)
    await expect(page.get_by_test_id("chat-input")).to_be_visible()
    assert await page.evaluate("() => window.scrollY") == 0
    for test_id in ("roster", "chat-input", "poll-question", "slide-canvas"):
        target = page.get_by_test_id(test_id).first
        box = await target.bounding_box()
        assert box is not None, test_id
        assert box["y"] >= 0 and box["y"] + min(box["height"], 40) <= HEIGHT, (test_id, box)
        assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, (test_id, box)
