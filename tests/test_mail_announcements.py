"""Mail owed by time: a booking's reminder, a lecture gone live, a recording ready; each once,
only to whom it concerns, and only while it is news."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from classroom_server.bookings import book, cancel
from classroom_server.db import (
    Booking,
    Breakout,
    BreakoutGroup,
    Lecture,
    OutboxMail,
    User,
    Video,
)
from classroom_server.mail_announcements import Announcer
from classroom_server.office_hours import publish
from tests.conftest import DATABASES
from tests.office_hours_domain import OfficeWorld, office_world
from tests.test_booking_mail import SITE
from tests.test_bookings import NOW, at, hours

ANNOUNCER = Announcer(SITE.address, timedelta(hours=1))


@pytest.fixture(params=DATABASES)
async def world(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[OfficeWorld]:
    async with office_world(request.param, tmp_path) as made:
        async with made.database.session() as session:
            await publish(session, hours(made))
            for user in (*made.students, made.educator, made.outsider):
                await session.execute(
                    update(User)
                    .where(User.id == user.id)
                    .values(email=f"{user.display_name.lower()}@example.org")
                )
            await session.commit()
        yield made


async def look(world: OfficeWorld, now: datetime) -> list[tuple[str, str]]:
    """Runs one look at ``now``; the (recipient, subject) of the mail it wrote."""
    async with world.database.session() as session:
        before = set(await session.scalars(select(OutboxMail.id)))
        await ANNOUNCER.once(session, now)
        mails = await session.scalars(select(OutboxMail).order_by(OutboxMail.id))
        return [(m.recipient, m.subject) for m in mails if m.id not in before]


async def test_a_booking_is_reminded_once_an_hour_before(world: OfficeWorld) -> None:
    student = world.students[0]
    async with world.database.session() as session:
        await book(session, student, hours(world), at(12), NOW, SITE)
        late = await book(session, world.students[2], hours(world), at(12, 30), NOW, SITE)
        gone = await book(session, world.students[1], hours(world), at(14), NOW, SITE)
        await cancel(session, world.students[1], gone.id, NOW, SITE)
        # Booked 45 minutes ahead: its confirmation just went, a reminder would repeat it.
        await session.execute(
            update(Booking).where(Booking.id == late.id).values(created_at=at(11, 45))
        )
        await session.commit()
    assert await look(world, at(10, 59)) == [], "not yet"
    reminders = await look(world, at(11, 31))
    assert sorted(reminders) == [
        ("amal@example.org", "Reminder: office hour at 2027-02-01 06:00"),
        ("educator@example.org", "Reminder: office hour at 2027-02-01 06:00"),
    ]
    assert await look(world, at(11, 30)) == [], "once"
    assert await look(world, at(13, 1)) == [], "a cancelled booking is not reminded"


async def test_a_lecture_gone_live_is_news_to_its_students_only(world: OfficeWorld) -> None:
    now = datetime.now(UTC)
    async with world.database.session() as session:
        live = Lecture(course_id=world.course_id, title="Limits", scheduled_start=now)
        stale = Lecture(course_id=world.course_id, title="Old", scheduled_start=now)
        group = Lecture(course_id=world.course_id, title="Limits · 1", scheduled_start=now)
        live.status, live.started_at = "live", now - timedelta(minutes=1)
        stale.status, stale.started_at = "live", now - timedelta(hours=1)
        group.status, group.started_at = "live", now
        session.add_all([live, stale, group])
        await session.flush()
        breakout = Breakout(lecture_id=live.id, mode="random", ends_at=now + timedelta(hours=1))
        session.add(breakout)
        await session.flush()  # a breakout group's room is no news: its students are there
        session.add(BreakoutGroup(lecture_id=group.id, breakout_id=breakout.id, number=1, name="1"))
        await session.commit()
    mails = await look(world, now)
    students = {f"{s.display_name.lower()}@example.org" for s in world.students}
    assert {recipient for recipient, _ in mails} == students  # not the educator, nor outsiders
    assert {subject for _, subject in mails} == {"Live now: Limits"}
    assert await look(world, now) == []


async def test_a_ready_recording_is_news_to_whoever_may_watch(world: OfficeWorld) -> None:
    now = datetime.now(UTC)
    async with world.database.session() as session:
        lecture = Lecture(course_id=world.course_id, title="Limits", scheduled_start=now)
        session.add(lecture)
        await session.flush()
        course_video = Video(
            course_id=world.course_id, lecture_id=lecture.id, title="Limits", status="ready"
        )
        private = Video(
            course_id=world.course_id,
            lecture_id=lecture.id,
            owner_id=world.educator.id,
            title="Draft",
            status="ready",
            visibility="private",
        )
        processing = Video(course_id=world.course_id, lecture_id=lecture.id, title="Later")
        session.add_all([course_video, private, processing])
        await session.commit()
    mails = await look(world, now)
    assert sorted(mails) == sorted(
        [
            (f"{u.display_name.lower()}@example.org", "Recording ready: Limits")
            for u in (
                *world.students,
                world.educator,
            )
        ]
        + [("educator@example.org", "Recording ready: Draft")]
    )
    assert await look(world, now) == []
