"""Office hours: slot expansion across time zones and daylight-saving changes, publishing,
free slots (cutoff, bookings, pages, bounded ranges) and who offers them in a course."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from classroom_server.bookings import book
from classroom_server.db import Lecture
from classroom_server.office_hours import (
    MAX_RANGE_DAYS,
    Availability,
    InvalidRange,
    NotFound,
    SlotRange,
    Window,
    course_hosts,
    expand,
    free_slot_page,
    meeting_open,
    office_hours_of,
    publish,
    published,
)
from tests.conftest import DATABASES
from tests.office_hours_domain import OfficeWorld, office_world
from tests.test_bookings import SITE


def hours(
    zone: str, slot: int = 30, windows: list[Window] | None = None, blocked: set[date] | None = None
) -> Availability:
    return Availability(
        educator_id=1,
        course_id=1,
        time_zone=zone,
        slot_minutes=slot,
        cutoff_minutes=0,
        windows=tuple(windows or ()),
        blocked_dates=tuple(sorted(blocked or ())),
    )


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_local_nine_oclock_moves_in_utc_when_the_clocks_change() -> None:
    # The US moved its clocks on 14 March 2027; Chicago's 09:00 is 15:00Z before, 14:00Z after.
    every_day = [Window(d, 9 * 60, 9 * 60 + 30) for d in range(7)]
    slots = expand(hours("America/Chicago", windows=every_day), utc(2027, 3, 12), utc(2027, 3, 16))
    starts = [s.starts_at for s in slots]
    assert starts == [
        utc(2027, 3, 12, 15),
        utc(2027, 3, 13, 15),
        utc(2027, 3, 14, 14),
        utc(2027, 3, 15, 14),
    ]


def test_times_that_do_not_exist_are_not_offered() -> None:
    # 02:00-03:00 does not exist in Chicago on 14 March 2027.
    night = [Window(6, 2 * 60, 4 * 60)]  # Sunday
    slots = expand(hours("America/Chicago", windows=night), utc(2027, 3, 14), utc(2027, 3, 15))
    chicago = ZoneInfo("America/Chicago")
    local = [s.starts_at.astimezone(chicago).strftime("%H:%M") for s in slots]
    assert local == ["03:00", "03:30"]


def test_blocked_dates_and_window_edges() -> None:
    monday = [Window(0, 10 * 60, 11 * 60)]
    blocked = {date(2026, 12, 14)}
    slots = expand(hours("Asia/Hebron", 20, monday, blocked), utc(2026, 12, 7), utc(2026, 12, 22))
    days = sorted({s.starts_at.date() for s in slots})
    assert days == [date(2026, 12, 7), date(2026, 12, 21)]
    assert len(slots) == 6 and all((s.ends_at - s.starts_at).seconds == 1200 for s in slots)


EVERY_DAY = tuple(Window(d, 0, 24 * 60) for d in range(7))


@pytest.fixture(params=DATABASES)
async def world(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[OfficeWorld]:
    async with office_world(request.param, tmp_path) as made:
        yield made


def availability(world: OfficeWorld, **changes: Any) -> Availability:
    made = Availability(
        educator_id=world.educator.id,
        course_id=world.course_id,
        time_zone="Asia/Hebron",
        slot_minutes=30,
        cutoff_minutes=60,
        windows=EVERY_DAY,
        blocked_dates=(),
    )
    return replace(made, **changes)


def a_day_from(start: datetime, days: int = 1) -> SlotRange:
    return SlotRange(start, start + timedelta(days=days))


async def test_publishing_replaces_the_whole_availability(world: OfficeWorld) -> None:
    async with world.database.session() as session:
        assert await published(session, world.educator.id) is None
        with pytest.raises(NotFound, match=f"office hours of educator {world.educator.id}"):
            await office_hours_of(session, world.educator.id)
        first = availability(
            world, blocked_dates=(date(2027, 1, 5), date(2027, 1, 1), date(2027, 1, 5))
        )
        await publish(session, first)
        shown = await office_hours_of(session, world.educator.id)
        assert shown == availability(world, blocked_dates=(date(2027, 1, 1), date(2027, 1, 5)))
        second = availability(world, time_zone="UTC", windows=(Window(2, 540, 600),))
        await publish(session, second)
        assert await office_hours_of(session, world.educator.id) == second


async def test_free_slots_leave_out_the_cutoff_and_booked_slots(world: OfficeWorld) -> None:
    now = datetime(2027, 2, 1, 8, 0, tzinfo=UTC)
    hours = availability(world, time_zone="UTC")
    async with world.database.session() as session:
        await publish(session, hours)
        slots, total = await free_slot_page(session, hours, a_day_from(now), now, 200, 0)
        assert slots[0].starts_at == now + timedelta(hours=1), "the 60 minutes' cutoff"
        assert total == len(slots) == 46
        await book(session, world.students[0], hours, slots[1].starts_at, now, SITE)
        after, total_after = await free_slot_page(session, hours, a_day_from(now), now, 200, 0)
        assert total_after == 45 and slots[1] not in after
        page, paged_total = await free_slot_page(session, hours, a_day_from(now), now, 5, 43)
        assert page == after[43:] and len(page) == 2 and paged_total == 45


def test_slots_are_looked_for_in_a_bounded_range() -> None:
    start = datetime(2027, 2, 1, tzinfo=UTC)
    assert a_day_from(start, MAX_RANGE_DAYS).end == start + timedelta(days=MAX_RANGE_DAYS)
    for bad in (0, -1, MAX_RANGE_DAYS + 1):
        with pytest.raises(InvalidRange, match="at most 62 days later"):
            a_day_from(start, bad)


async def test_hosts_of_a_course_by_name(world: OfficeWorld) -> None:
    async with world.database.session() as session:
        assert await course_hosts(session, world.course_id, 50, 0) == ([], 0)
        await publish(session, availability(world))
        await publish(session, availability(world, educator_id=world.admin.id, slot_minutes=15))
        hosts, total = await course_hosts(session, world.course_id, 50, 0)
        assert total == 2 and [(h.name, h.slot_minutes) for h in hosts] == [
            ("Admin", 15),
            ("Educator", 30),
        ]
        assert hosts[1].educator_id == world.educator.id and hosts[1].time_zone == "Asia/Hebron"
        second, total = await course_hosts(session, world.course_id, 1, 1)
        assert second == hosts[1:] and total == 2


def test_a_meeting_room_opens_ten_minutes_early_and_closes_at_the_end() -> None:
    start = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
    meeting = Lecture(course_id=1, title="m", scheduled_start=start, duration_minutes=30)
    assert not meeting_open(meeting, start - timedelta(minutes=11))
    assert meeting_open(meeting, start - timedelta(minutes=10))
    assert meeting_open(meeting, start + timedelta(minutes=30))
    assert not meeting_open(meeting, start + timedelta(minutes=31))
