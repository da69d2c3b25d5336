"""The lobby in the browser: a guest opens the educator's guest link, gives a name, waits,
and sees the lecture once admitted; a student the educator denies is told so."""

from __future__ import annotations

import re

import aiohttp
import pytest
from playwright.async_api import expect

from tests.conftest import Server
from tests.test_web_room import (
    OpenPage,
    create_lecture,
    enter_room,
    open_page,
    wait_until_live,
)
from tests.test_web_room import browser as shared_browser

pytestmark = pytest.mark.browser
browser = shared_browser
__all__ = ["browser", "open_page"]  # fixtures, borrowed from test_web_room


async def test_a_guest_opens_the_link_waits_and_is_admitted(
    open_page: OpenPage, server: Server, http: aiohttp.ClientSession
) -> None:
    lecture_id = await create_lecture(http, server, "Guest lecture")
    edu, guest = await open_page("educator"), await open_page("guest")
    await enter_room(edu, server, "educator", lecture_id)
    await wait_until_live(edu)
    lobby = edu.get_by_test_id("lobby-panel")
    await expect(lobby.get_by_test_id("lobby-empty")).to_be_visible()
    await lobby.get_by_test_id("make-guest-link").click()
    url_field = edu.get_by_test_id("guest-link-url")
    await expect(url_field).to_be_visible()
    url = await url_field.input_value()
    assert url.startswith(f"{server.base_url}/guest#"), url
    await edu.get_by_test_id("close-guest-link").click()
    await lobby.get_by_test_id("make-guest-link").click()
    await expect(url_field).to_have_value(url)  # the same link again, not another one
    await edu.get_by_test_id("new-guest-link").click()
    await expect(url_field).not_to_have_value(url)
    await expect(url_field).to_have_value(re.compile(r"/guest#"))
    await edu.get_by_test_id("revoke-guest-link").click()  # the spare one
    await expect(url_field).to_have_value("")
    await expect(edu.get_by_test_id("guest-link-status")).to_contain_text("revoked")
    await edu.get_by_test_id("close-guest-link").click()
    await lobby.get_by_test_id("make-guest-link").click()
    await expect(url_field).to_have_value(url)  # the first one still lets guests in
    await edu.get_by_test_id("close-guest-link").click()

    await guest.goto(url)
    await expect(guest.get_by_test_id("guest-lecture")).to_have_text("Guest lecture")
    await guest.locator("#guest-name").fill("Sami Haddad")
    await guest.get_by_test_id("guest-enter").click()
    await expect(guest.get_by_test_id("lobby-waiting")).to_contain_text("Sami Haddad")
    await expect(guest.get_by_test_id("roster")).to_have_count(0)

    person = lobby.get_by_test_id("lobby-person")
    await expect(person).to_have_count(1)
    await expect(person).to_contain_text("Sami Haddad")
    await expect(person).to_contain_text("Guest")
    await person.get_by_test_id("admit").click()
    await wait_until_live(guest)
    await expect(guest.get_by_test_id("room-title")).to_have_text("Guest lecture")
    await expect(guest.get_by_test_id("lobby-waiting")).to_have_count(0)
    await expect(edu.get_by_test_id("roster-item").filter(has_text="Sami Haddad")).to_be_visible()
    await expect(lobby.get_by_test_id("lobby-empty")).to_be_visible()


async def test_a_student_waits_while_the_lobby_is_on_and_a_denial_sends_them_away(
    open_page: OpenPage, server: Server, http: aiohttp.ClientSession
) -> None:
    lecture_id = await create_lecture(http, server, "Lobby lecture")
    edu, s1 = await open_page("educator"), await open_page("student1")
    await enter_room(edu, server, "educator", lecture_id)
    await wait_until_live(edu)
    toggle = edu.get_by_test_id("toggle-lobby")
    await toggle.click()
    await expect(toggle).to_have_attribute("aria-pressed", "true")
    await enter_room(s1, server, "student1", lecture_id)
    await expect(s1.get_by_test_id("lobby-waiting")).to_be_visible()
    person = edu.get_by_test_id("lobby-person")
    await expect(person).to_contain_text("Lina Saleh")
    await person.get_by_test_id("deny").click()
    await expect(s1.get_by_test_id("lobby-denied")).to_be_visible()
    await expect(edu.get_by_test_id("lobby-person")).to_have_count(0)
