"""Bookings: a free slot and its private meeting room, who may see and act on a booking,
cancelling before the cutoff, rescheduling that keeps the old slot on failure, and the list."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from classroom_server.bookings import (
    BookingError,
    BookingView,
    book,
    bookings_page,
    cancel,
    reschedule,
)
from classroom_server.db import Booking, Lecture, User
from classroom_server.office_hours import (
    Availability,
    NotAllowed,
    NotFound,
    Window,
    publish,
)
from classroom_server.site import Site
from tests.conftest import DATABASES
from tests.office_hours_domain import OfficeWorld, office_world

NOW = datetime(2027, 2, 1, 8, 0, tzinfo=UTC)
SITE = Site("https://classroom.test", public=True, mail=False)


@pytest.fixture(params=DATABASES)
async def world(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[OfficeWorld]:
    async with office_world(request.param, tmp_path) as made:
        async with made.database.session() as session:
            await publish(session, hours(made))
        yield made


def hours(world: OfficeWorld) -> Availability:
    """Every day around the clock in UTC, 30-minute slots, cancellable up to an hour before."""
    return Availability(
        educator_id=world.educator.id,
        course_id=world.course_id,
        time_zone="UTC",
        slot_minutes=30,
        cutoff_minutes=60,
        windows=tuple(Window(d, 0, 24 * 60) for d in range(7)),
        blocked_dates=(),
    )


def at(hour: int, minute: int = 0) -> datetime:
    return NOW.replace(hour=hour, minute=minute)


async def booked(world: OfficeWorld, student: int, starts_at: datetime) -> BookingView:
    async with world.database.session() as session:
        return await book(session, world.students[student], hours(world), starts_at, NOW, SITE)


async def test_a_booking_opens_a_meeting_room_for_its_student(world: OfficeWorld) -> None:
    made = await booked(world, 0, at(10))
    assert (made.starts_at, made.ends_at) == (at(10), at(10, 30))
    assert (made.student_id, made.educator_id) == (world.students[0].id, world.educator.id)
    assert made.status == "booked" and made.course_id == world.course_id
    assert (made.student_name, made.educator_name) == ("Amal", world.educator.display_name)
    async with world.database.session() as session:
        meeting = await session.get(Lecture, made.lecture_id)
    assert meeting is not None and meeting.private_to == world.students[0].id
    assert meeting.title == "Office hour: Amal" and meeting.duration_minutes == 30
    for taken_or_not_offered in (at(10), at(10, 10), at(8, 30)):  # booked, off-slot, cutoff
        with pytest.raises(BookingError) as refused:
            await booked(world, 1, taken_or_not_offered)
        assert refused.value.code == "slot_unavailable", taken_or_not_offered


async def test_only_its_parties_and_admins_act_on_a_booking(world: OfficeWorld) -> None:
    made = [await booked(world, 0, at(h)) for h in (10, 11, 12)]
    async with world.database.session() as session:
        for stranger in (world.students[1], world.outsider):
            with pytest.raises(NotFound, match=f"booking {made[0].id} does not exist"):
                await cancel(session, stranger, made[0].id, NOW, SITE)
        with pytest.raises(NotFound):
            await cancel(session, world.admin, 10**6, NOW, SITE)
        cancelled = [
            await cancel(session, who, booking.id, NOW, SITE)
            for who, booking in zip(
                (world.students[0], world.educator, world.admin), made, strict=True
            )
        ]
        assert [c.status for c in cancelled] == ["cancelled"] * 3
        meeting = await session.get(Lecture, made[0].lecture_id)
        assert meeting is not None and meeting.status == "ended"
        with pytest.raises(BookingError) as again:
            await cancel(session, world.students[0], made[0].id, NOW, SITE)
        assert again.value.code == "conflict"


async def test_cancelling_closes_at_the_cutoff(world: OfficeWorld) -> None:
    made = await booked(world, 0, at(10))
    async with world.database.session() as session:
        with pytest.raises(BookingError) as late:
            await cancel(session, world.students[0], made.id, at(9, 1), SITE)
        assert late.value.code == "too_late"
        assert (
            await cancel(session, world.students[0], made.id, at(9), SITE)
        ).status == "cancelled"


async def test_rescheduling_books_the_new_slot_first(world: OfficeWorld) -> None:
    mine, theirs = await booked(world, 0, at(10)), await booked(world, 1, at(11))
    async with world.database.session() as session:
        with pytest.raises(BookingError) as taken:
            await reschedule(session, world.students[0], mine.id, at(11), NOW, SITE)
        assert taken.value.code == "slot_unavailable"
        kept = await session.get(Booking, mine.id)
        assert kept is not None and kept.status == "booked", "a failure keeps the old slot"
        moved = await reschedule(session, world.students[0], mine.id, at(12), NOW, SITE)
        assert moved.starts_at == at(12) and moved.student_id == world.students[0].id
        for_them = await reschedule(session, world.admin, theirs.id, at(13), NOW, SITE)
        assert for_them.student_id == world.students[1].id, "an admin moves it for the student"
        await session.refresh(kept)
        assert kept.status == "cancelled"
        with pytest.raises(BookingError) as late:
            await reschedule(session, world.students[0], moved.id, at(14), at(11, 30), SITE)
        assert late.value.code == "too_late"
        with pytest.raises(NotFound):
            await reschedule(session, world.students[2], moved.id, at(14), NOW, SITE)


async def listed(
    world: OfficeWorld,
    user: User,
    *,
    course_id: int | None = None,
    upcoming: bool = False,
    everyone: bool = False,
    now: datetime = NOW,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[BookingView], int]:
    async with world.database.session() as session:
        return await bookings_page(
            session,
            user,
            course_id=course_id,
            upcoming=upcoming,
            everyone=everyone,
            now=now,
            limit=limit,
            offset=offset,
        )


async def ids(listing: Awaitable[tuple[list[BookingView], int]]) -> tuple[list[int], int]:
    rows, total = await listing
    return [b.id for b in rows], total


async def test_the_list_of_bookings(world: OfficeWorld) -> None:
    first, second = await booked(world, 0, at(12)), await booked(world, 1, at(10))
    third = await booked(world, 0, at(8) + timedelta(days=1))
    student, educator, admin = world.students[0], world.educator, world.admin
    everything = [second.id, first.id, third.id]
    assert await ids(listed(world, student)) == ([first.id, third.id], 2), "soonest first"
    assert await ids(listed(world, educator)) == (everything, 3), "the educator's too"
    assert await ids(listed(world, educator, limit=1, offset=1)) == ([first.id], 3)
    assert await ids(listed(world, educator, upcoming=True, now=at(12, 31))) == ([third.id], 1)
    assert await ids(listed(world, educator, course_id=world.course_id + 1)) == ([], 0)
    assert await ids(listed(world, admin)) == ([], 0), "an admin's own list is their own"
    assert await ids(listed(world, admin, everyone=True)) == (everything, 3)
    with pytest.raises(NotAllowed, match="only an admin"):
        await listed(world, student, everyone=True)
    rows, _ = await listed(world, educator, limit=1)
    assert (rows[0].student_name, rows[0].educator_name) == ("Basel", "Educator")
