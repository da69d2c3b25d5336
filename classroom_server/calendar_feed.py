"""A user's lectures and office-hour bookings as an iCalendar feed (RFC 5545)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from icalendar import Calendar, Event
from sqlalchemy import case, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from classroom_server.db import Booking, Course, Enrolment, Lecture, User
from classroom_server.db.breakout_models import not_a_group_room

HORIZON = 500


async def feed_of(session: AsyncSession, user_id: int, site: str) -> bytes | None:
    """The feed a calendar URL names; None once the account is gone or disabled (a disabled
    account's feed URL stops working too). ``site`` (scheme://host) makes its links absolute:
    a calendar app has no page to resolve a relative one against."""
    user = await session.get(User, user_id)
    if user is None or user.disabled:
        return None
    return await calendar_for(session, user, site)


async def calendar_for(session: AsyncSession, user: User, site: str) -> bytes:
    host = urlsplit(site).hostname
    calendar = Calendar()
    calendar.add("prodid", "-//QOU Classroom//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"QOU Classroom: {user.display_name}")
    for lecture, course in await _lectures(session, user):
        calendar.add_component(
            _event(
                f"lecture-{lecture.id}@{host}",
                f"{course.code}: {lecture.title}",
                lecture,
                f"{site}/lectures/{lecture.id}",
            )
        )
    for booking, lecture, other in await _bookings(session, user):
        calendar.add_component(
            _event(
                f"booking-{booking.id}@{host}",
                f"Office hour with {other}",
                lecture,
                f"{site}/lectures/{lecture.id}",
            )
        )
    return calendar.to_ical()  # type: ignore[no-any-return]


def _event(uid: str, summary: str, lecture: Lecture, url: str) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("summary", summary)
    event.add("dtstart", lecture.scheduled_start)
    event.add("dtend", lecture.scheduled_start + timedelta(minutes=lecture.duration_minutes))
    event.add("url", url)
    event.add(
        "status",
        "CANCELLED" if lecture.status == "ended" and lecture.started_at is None else "CONFIRMED",
    )
    return event


async def _lectures(session: AsyncSession, user: User) -> list[tuple[Lecture, Course]]:
    rows = await session.execute(
        select(Lecture, Course)
        .join(Course, Course.id == Lecture.course_id)
        .join(Enrolment, Enrolment.course_id == Course.id)
        .where(
            Enrolment.user_id == user.id,
            Lecture.private_to.is_(None),
            not_a_group_room(),
        )
        .order_by(Lecture.scheduled_start.desc())
        .limit(HORIZON)
    )
    return [(lecture, course) for lecture, course in rows.tuples()]


async def _bookings(session: AsyncSession, user: User) -> list[tuple[Booking, Lecture, str]]:
    """The user's bookings, each with the other party's name (the student's own name as the
    title of their own event tells them nothing)."""
    other = aliased(User)
    rows = await session.execute(
        select(Booking, Lecture, other.display_name)
        .join(Lecture, Lecture.id == Booking.lecture_id)
        .join(
            other,
            other.id
            == case((Booking.student_id == user.id, Booking.educator_id), else_=Booking.student_id),
        )
        .where(
            or_(Booking.student_id == user.id, Booking.educator_id == user.id),
            Booking.status == "booked",
        )
        .order_by(Booking.starts_at.desc())
        .limit(HORIZON)
    )
    return [(booking, lecture, other_name) for booking, lecture, other_name in rows]
