"""Office hours in real headless Chromium: an educator publishes availability in the page, a
student in another time zone books the slot starting in a few minutes, the educator sees the
booking, and both enter the private meeting room and see each other in its roster.

The people and the course are made for this test through the API (the admin creates the
accounts), so the demo educator's availability, which other tests publish, is left alone.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from playwright.async_api import Page, expect

from tests.conftest import ADMIN, PASSWORD, Server, bearer
from tests.test_web_client import browser as shared_browser
from tests.test_web_client import log_in
from tests.test_web_room import OpenPage
from tests.test_web_room import open_page as shared_open_page

pytestmark = pytest.mark.browser
browser = shared_browser  # the session's Chromium and the room tests' page opener
open_page = shared_open_page

STUDENT_ZONE = "America/Chicago"
# The educator's zone is one where the slot does not cross local midnight right now.
EDUCATOR_ZONES = ("Asia/Hebron", "Asia/Tokyo", "America/Chicago")
SLOT_MINUTES = 15
LEAD = timedelta(minutes=3)  # the slot starts this soon: bookable now and its room already open


async def api(
    http: aiohttp.ClientSession, server: Server, method: str, path: str, headers: Any, **kw: Any
) -> Any:
    async with http.request(method, server.url("/api/v1" + path), headers=headers, **kw) as r:
        assert r.status < 300, (method, path, r.status, await r.text())
        return await r.json()


async def make_people(
    http: aiohttp.ClientSession, server: Server, educator_zone: str
) -> tuple[dict[str, str], int]:
    admin = await bearer(http, server, *ADMIN)
    suffix = secrets.token_hex(3)
    people = {
        "educator": (f"oh-edu-{suffix}", f"Dr. Office {suffix}", "educator", educator_zone),
        "student": (f"oh-stu-{suffix}", f"Student {suffix}", "student", STUDENT_ZONE),
    }
    for username, name, role, zone in people.values():
        body = {
            "username": username,
            "password": PASSWORD,
            "display_name": name,
            "role": role,
            "time_zone": zone,
        }
        await api(http, server, "POST", "/users", admin, json=body)
    educator = await bearer(http, server, people["educator"][0])
    course = await api(
        http,
        server,
        "POST",
        "/courses",
        educator,
        json={"code": f"OH{suffix}", "title": f"Office hours {suffix}"},
    )
    await api(
        http,
        server,
        "POST",
        f"/courses/{course['id']}/enrolments",
        educator,
        json={"username": people["student"][0]},
    )
    names = {key: value[1] for key, value in people.items()}
    names.update({f"{key}_login": value[0] for key, value in people.items()})
    return names, int(course["id"])


def soon_slot() -> tuple[str, datetime, datetime]:
    """A zone where [start, start + slot) stays within one local day, and the slot's start."""
    start = (datetime.now(UTC) + LEAD).replace(second=0, microsecond=0) + timedelta(minutes=1)
    for zone in EDUCATOR_ZONES:
        local = start.astimezone(ZoneInfo(zone))
        if local.hour * 60 + local.minute + SLOT_MINUTES < 24 * 60:
            return zone, start, local
    raise AssertionError("no zone without midnight in the window")


async def publish_in_page(page: Page, course_id: int, local: datetime) -> None:
    """From the dashboard's link to the course's office hours, one window around ``local``."""
    await page.locator(f"a[href='/courses/{course_id}/office-hours']").click()
    form = page.get_by_test_id("availability-form")
    await expect(form).to_be_visible()
    await form.locator("#oh-slot").fill(str(SLOT_MINUTES))
    await form.locator("#oh-cutoff").fill("0")
    await page.get_by_test_id("window-add").click()
    row = page.get_by_test_id("window-row").last
    end = local + timedelta(minutes=SLOT_MINUTES)
    await row.get_by_test_id("window-weekday").select_option(str(local.weekday()))
    await row.get_by_test_id("window-start").fill(local.strftime("%H:%M"))
    await row.get_by_test_id("window-end").fill(end.strftime("%H:%M"))
    await page.get_by_test_id("availability-save").click()
    await expect(page.get_by_test_id("availability-saved")).not_to_be_empty()
    await expect(page.get_by_test_id("availability-error")).to_be_empty()


async def enter(page: Page, link: str) -> None:
    """Follows the meeting link into the room and waits until this side is in the roster.

    One after the other: a socket is in the lecture's room before its own room:state is sent,
    so another person's roster:joined can reach it first, and the room client fails on an
    event before room:state (a known race outside office hours).
    """
    await page.get_by_test_id(link).click()
    await expect(page).to_have_url(re.compile(r"/lectures/\d+$"))
    await expect(page.get_by_test_id("roster-item").first).to_be_visible()


async def test_student_books_educator_sees_both_meet(
    http: aiohttp.ClientSession, server: Server, open_page: OpenPage
) -> None:
    zone, start, local = soon_slot()
    names, course_id = await make_people(http, server, zone)

    teacher = await open_page("educator")
    await log_in(teacher, server, names["educator_login"])
    await expect(teacher.get_by_test_id("user-name")).to_have_text(names["educator"])
    await publish_in_page(teacher, course_id, local)  # on the dashboard after logging in

    learner = await open_page("student")
    await log_in(learner, server, names["student_login"])
    await expect(learner.get_by_test_id("user-name")).to_have_text(names["student"])
    await learner.goto(server.url(f"/courses/{course_id}"))
    await learner.get_by_test_id("office-hours-link").click()
    at = start.isoformat().replace("+00:00", "Z")
    await expect(learner.get_by_test_id("slot")).to_have_count(2)  # today's, and a week later
    slot = learner.locator(f"[data-testid=slot][data-starts-at='{at}']")
    await expect(slot).to_have_count(1)
    mine = start.astimezone(ZoneInfo(STUDENT_ZONE))  # shown in the student's own zone
    await expect(slot).to_have_text(f"{mine.hour % 12 or 12}:{mine.minute:02d} {mine:%p}")
    await slot.click()
    booking = learner.get_by_test_id("booking-item")
    await expect(booking).to_have_count(1)
    await expect(booking.get_by_test_id("booking-with")).to_have_text(names["educator"])
    await expect(slot).to_have_count(0)  # taken now
    await expect(learner.get_by_test_id("slot")).to_have_count(1)

    await teacher.reload()
    seen = teacher.get_by_test_id("booking-item")
    await expect(seen).to_have_count(1)
    await expect(seen.get_by_test_id("booking-with")).to_have_text(names["student"])

    await enter(teacher, "booking-join")
    await enter(learner, "booking-join")
    assert teacher.url == learner.url, "both enter the same meeting room"
    for page in (teacher, learner):
        roster = page.get_by_test_id("roster-item")
        await expect(roster).to_have_count(2)
        await expect(roster.filter(has_text=names["educator"])).to_have_count(1)
        await expect(roster.filter(has_text=names["student"])).to_have_count(1)


async def test_drop_in_queue_place_and_admission(
    http: aiohttp.ClientSession, server: Server, open_page: OpenPage
) -> None:
    names, course_id = await make_people(http, server, "Asia/Hebron")
    page_url = server.url(f"/courses/{course_id}/office-hours")
    teacher = await open_page("educator")
    await log_in(teacher, server, names["educator_login"])
    await expect(teacher.get_by_test_id("user-name")).to_have_text(names["educator"])
    await teacher.goto(page_url)
    await teacher.get_by_test_id("drop-in-open").click()
    await expect(teacher.get_by_test_id("drop-in-state")).to_be_visible()
    await expect(teacher.get_by_test_id("drop-in-admit")).to_be_disabled()  # nobody waits yet

    learner = await open_page("student")
    await log_in(learner, server, names["student_login"])
    await expect(learner.get_by_test_id("user-name")).to_have_text(names["student"])
    await learner.goto(page_url)
    await learner.get_by_test_id("drop-in-join").click()
    await expect(learner.get_by_test_id("drop-in-place")).to_have_text(
        "You are number 1 in the queue."
    )

    queue = teacher.get_by_test_id("drop-in-queue").locator("li")
    await expect(queue).to_have_text([names["student"]])  # the educator's page polls
    await teacher.get_by_test_id("drop-in-admit").click()
    await expect(teacher.get_by_test_id("drop-in-admitted")).to_contain_text(names["student"])
    await expect(queue).to_have_count(0)
    await expect(learner.get_by_test_id("drop-in-room")).to_be_visible()  # the student's polls

    await enter(teacher, "drop-in-room")
    await enter(learner, "drop-in-room")
    assert teacher.url == learner.url
    for page in (teacher, learner):
        await expect(page.get_by_test_id("roster-item")).to_have_count(2)


async def test_student_reschedules_then_cancels_in_arabic(
    http: aiohttp.ClientSession, server: Server, open_page: OpenPage
) -> None:
    names, course_id = await make_people(http, server, "Asia/Hebron")
    educator = await bearer(http, server, names["educator_login"])
    availability = {
        "course_id": course_id,
        "time_zone": "Asia/Hebron",
        "slot_minutes": 30,
        "cutoff_minutes": 60,
        "windows": [{"weekday": d, "start": "10:00", "end": "11:00"} for d in range(7)],
    }
    await api(http, server, "PUT", "/office-hours", educator, json=availability)

    learner = await open_page("student")
    await log_in(learner, server, names["student_login"])
    await expect(learner.get_by_test_id("user-name")).to_have_text(names["student"])
    await learner.get_by_test_id("lang-switch").select_option("ar")
    await expect(learner.locator("html")).to_have_attribute("dir", "rtl")
    await learner.goto(server.url(f"/courses/{course_id}/office-hours"))
    await expect(learner.get_by_test_id("office-hours-title")).to_have_text("الساعات المكتبية")
    slots = learner.get_by_test_id("slot")
    await expect(slots.nth(3)).to_be_visible()
    # Not the first two: the third is an hour past the earliest, far from the 60-minute cutoff.
    first, later = [await slots.nth(i).get_attribute("data-starts-at") for i in (2, 3)]
    await slots.nth(2).click()
    booking = learner.get_by_test_id("booking-item")
    await expect(booking).to_have_count(1)
    await expect(booking.get_by_test_id("booking-join-later")).to_be_visible()  # not open yet

    await booking.get_by_test_id("booking-reschedule").click()
    await expect(learner.get_by_test_id("rescheduling")).not_to_be_empty()
    await learner.locator(f"[data-testid=slot][data-starts-at='{later}']").click()
    await expect(learner.get_by_test_id("rescheduling")).to_be_empty()
    booked = learner.locator("[data-testid=booking-item][data-status=booked]")
    await expect(booked).to_have_count(1)
    await expect(booked.locator("time")).to_have_attribute("datetime", str(later))
    cancelled = learner.locator("[data-testid=booking-item][data-status=cancelled]")
    await expect(cancelled.locator("time")).to_have_attribute("datetime", str(first))
    await expect(learner.locator(f"[data-testid=slot][data-starts-at='{first}']")).to_have_count(1)

    learner.on("dialog", lambda dialog: dialog.accept())
    await booked.get_by_test_id("booking-cancel").click()
    await expect(cancelled).to_have_count(2)
    mine = await api(http, server, "GET", "/bookings", educator)
    assert sorted(b["status"] for b in mine["items"]) == ["cancelled", "cancelled"]
