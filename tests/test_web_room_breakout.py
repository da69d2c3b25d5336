"""Breakout rooms in real headless Chromium: the educator opens two random groups; each
student is taken to their group's room and told which group it is (Lina in Arabic), the
educator drops into one, messages every group and ends them, and both students are back in
the main room."""

from __future__ import annotations

import re

import aiohttp
import pytest
from playwright.async_api import Page, expect

from tests.conftest import Server
from tests.test_web_client import browser as shared_browser
from tests.test_web_room import (
    OpenPage,
    create_lecture,
    draw_rectangle,
    enter_room,
    start_lecture,
    wait_until_live,
)
from tests.test_web_room import open_page as shared_open_page

pytestmark = pytest.mark.browser
browser = shared_browser
open_page = shared_open_page

MOVE_MS = 20_000  # a page load and a room join on a shared 2-core machine


def lecture_of(page: Page) -> int:
    match = re.search(r"/lectures/(\d+)", page.url)
    assert match, page.url
    return int(match.group(1))


async def test_students_land_in_their_group_rooms_and_come_back(
    open_page: OpenPage, server: Server, http: aiohttp.ClientSession
) -> None:
    lecture_id = await create_lecture(http, server, "Group work")
    edu, lina, omar = [await open_page(name) for name in ("educator", "student1", "student2")]
    for page, name in ((edu, "educator"), (lina, "student1"), (omar, "student2")):
        await enter_room(page, server, name, lecture_id)
        await wait_until_live(page)
    await expect(lina.get_by_test_id("breakout-panel")).to_be_hidden()

    await edu.get_by_test_id("breakout-count").fill("2")
    await edu.get_by_test_id("breakout-mode").select_option("random")
    await edu.get_by_test_id("breakout-minutes").fill("15")
    await edu.get_by_test_id("breakout-start").click()
    await expect(edu.get_by_test_id("breakout-group")).to_have_count(2)
    await expect(edu.get_by_test_id("breakout-timer")).to_contain_text(re.compile(r"1[45]:\d\d"))

    rooms = {}
    for page, words in ((lina, "أنت في المجموعة"), (omar, "You are in Group")):
        await expect(page).not_to_have_url(re.compile(rf"/lectures/{lecture_id}$"), timeout=MOVE_MS)
        await wait_until_live(page)
        await expect(page.get_by_test_id("breakout-yours")).to_contain_text(words, timeout=MOVE_MS)
        rooms[page] = lecture_of(page)
    assert rooms[lina] != rooms[omar], "two students, two groups of one"
    await expect(omar.get_by_test_id("breakout-form")).to_be_hidden()
    await expect(omar.get_by_test_id("breakout-end")).to_be_hidden()
    await draw_rectangle(omar)  # alone in his group, he presents it
    await expect(omar.get_by_test_id("annotation-count")).to_have_text("1")

    # The educator visits Omar's group, and speaks to every group from there.
    omars = edu.locator(f"[data-testid=breakout-group][data-lecture-id='{rooms[omar]}']")
    await omars.get_by_test_id("breakout-join").click()
    await expect(edu).to_have_url(re.compile(rf"/lectures/{rooms[omar]}$"), timeout=MOVE_MS)
    await wait_until_live(edu)
    await expect(edu.get_by_test_id("breakout-yours")).to_contain_text("You are visiting Group")
    await expect(omar.get_by_test_id("roster")).to_contain_text("Dr. Amal Haddad")
    await edu.get_by_test_id("breakout-message").fill("Two minutes left")
    await edu.get_by_test_id("breakout-send").click()
    for page in (lina, omar):
        await expect(page.get_by_test_id("breakout-notice")).to_contain_text("Two minutes left")
    await expect(omar.get_by_test_id("chat-list")).to_contain_text("Two minutes left")

    await edu.get_by_test_id("breakout-end").click()
    for page in (edu, lina, omar):  # everyone back in the main room
        await expect(page).to_have_url(re.compile(rf"/lectures/{lecture_id}$"), timeout=MOVE_MS)
        await wait_until_live(page)
    await expect(lina.get_by_test_id("breakout-panel")).to_be_hidden()
    await expect(edu.get_by_test_id("breakout-form")).to_be_visible()

    # What Omar's group kept, for the educator: the message in its chat, his drawing.
    await edu.get_by_test_id("breakout-history").click()
    await expect(edu.get_by_test_id("breakout-history-group")).to_have_count(2)
    kept = edu.locator(f"[data-testid=breakout-history-group][data-lecture-id='{rooms[omar]}']")
    await kept.get_by_test_id("breakout-work-show").click()
    await expect(kept.get_by_test_id("breakout-transcript")).to_contain_text("Two minutes left")
    await expect(kept.get_by_test_id("breakout-drawing")).to_have_attribute("data-count", "1")


async def test_the_educator_assigns_the_groups_and_moves_a_student(
    open_page: OpenPage, server: Server, http: aiohttp.ClientSession
) -> None:
    lecture_id = await create_lecture(http, server, "Assigned groups")
    edu, lina, omar = [await open_page(name) for name in ("educator", "student1", "student2")]
    for page, name in ((edu, "educator"), (lina, "student1"), (omar, "student2")):
        await enter_room(page, server, name, lecture_id)
        await wait_until_live(page)

    await edu.get_by_test_id("breakout-mode").select_option("assigned")
    picks = edu.get_by_test_id("breakout-assign-group")
    await expect(picks).to_have_count(2)
    for index in range(2):  # both into the first group
        await picks.nth(index).select_option("1")
    await edu.get_by_test_id("breakout-start").click()
    groups = edu.get_by_test_id("breakout-group")
    await expect(groups.first.locator("li")).to_have_count(2)
    await expect(groups.nth(1)).to_contain_text("No one yet")
    for page in (lina, omar):
        await expect(page.get_by_test_id("breakout-yours")).to_contain_text(
            re.compile("(Group|المجموعة) 1"), timeout=MOVE_MS
        )
    first = lecture_of(omar)
    assert lecture_of(lina) == first != lecture_id

    mover = (
        # "Omar": test_web_auth renames him "Omar K." on the shared server.
        groups.first.locator("li").filter(has_text="Omar").get_by_test_id("breakout-move")
    )
    await mover.select_option("2")
    await expect(omar.get_by_test_id("breakout-yours")).to_contain_text(
        "You are in Group 2", timeout=MOVE_MS
    )
    # The notice comes before the page has moved to the other group's room.
    await omar.wait_for_url(
        re.compile(rf"/lectures/(?!({first}|{lecture_id})\b)\d+"), timeout=MOVE_MS
    )
    await expect(groups.nth(1)).to_contain_text("Omar")
    assert lecture_of(lina) == first, "Lina stays in her group"


async def test_a_prepared_plan_is_saved_in_the_room_and_opens_its_groups(
    open_page: OpenPage, server: Server, http: aiohttp.ClientSession
) -> None:
    """The educator prepares the groups before the lecture starts (in the scheduled room)."""
    lecture_id = await create_lecture(http, server, "Planned groups", start=False)
    edu = await open_page("educator")
    await enter_room(edu, server, "educator", lecture_id)
    await wait_until_live(edu)
    await edu.get_by_test_id("breakout-mode").select_option("plan")
    await edu.get_by_test_id("breakout-count").fill("3")
    await edu.get_by_test_id("breakout-count").dispatch_event("change")
    await edu.get_by_test_id("breakout-plan-edit").click()
    students = edu.get_by_test_id("breakout-plan-list").locator("li")
    lina = students.filter(has_text="Lina Saleh").get_by_test_id("breakout-plan-group")
    await lina.select_option("3")
    await edu.get_by_test_id("breakout-plan-save").click()
    await expect(edu.get_by_test_id("breakout-plan-saved")).to_have_text("Plan saved: 3 groups.")

    await start_lecture(http, server, lecture_id)
    student = await open_page("student1")
    await enter_room(student, server, "student1", lecture_id)
    await wait_until_live(student)
    await edu.reload()
    await wait_until_live(edu)
    await edu.get_by_test_id("breakout-mode").select_option("plan")
    await edu.get_by_test_id("breakout-start").click()
    await expect(edu.get_by_test_id("breakout-group")).to_have_count(3)
    await expect(edu.get_by_test_id("breakout-group").nth(2)).to_contain_text("Lina Saleh")
    await expect(student.get_by_test_id("breakout-yours")).to_contain_text(
        "المجموعة 3", timeout=MOVE_MS
    )
