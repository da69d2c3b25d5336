"""The mail both parties of an office-hour booking get when it is made, moved or cancelled,
each with an iCalendar invitation so their calendar app follows along."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from icalendar import Calendar, Event
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import Booking, User
from classroom_server.mail_outbox import enqueue
from classroom_server.mail_text import letter, local_time


def booking_uid(booking: Booking, site: str) -> str:
    return f"booking-{booking.id}@{urlsplit(site).hostname}"


def invitation(booking: Booking, other: User, site: str, cancelled: bool = False) -> bytes:
    """METHOD:REQUEST adds or updates the event; CANCEL removes it (RFC 5546)."""
    calendar = Calendar()
    calendar.add("prodid", "-//QOU Classroom//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", booking_uid(booking, site))
    event.add("sequence", 1 if cancelled else 0)
    event.add("dtstamp", datetime.now(booking.starts_at.tzinfo))
    event.add("summary", f"Office hour with {other.display_name}")
    event.add("dtstart", booking.starts_at)
    event.add("dtend", booking.ends_at)
    event.add("url", f"{site}/lectures/{booking.lecture_id}")
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()  # type: ignore[no-any-return]


async def _parties(session: AsyncSession, booking: Booking) -> list[tuple[User, User]]:
    """(recipient, the other party) for the student and the educator."""
    student = await session.get(User, booking.student_id)
    educator = await session.get(User, booking.educator_id)
    assert student is not None and educator is not None  # bookings cascade with users
    return [(student, educator), (educator, student)]


async def _tell(
    session: AsyncSession, booking: Booking, key: str, site: str, before: Booking | None = None
) -> None:
    for user, other in await _parties(session, booking):
        subject, body = letter(
            user,
            key,
            other=other.display_name,
            when=local_time(booking.starts_at, user),
            before=local_time(before.starts_at, user) if before else "",
            url=f"{site}/lectures/{booking.lecture_id}",
        )
        ics = invitation(booking, other, site, cancelled=key == "cancelled")
        enqueue(session, user.email, subject, body, ics)


async def booked(session: AsyncSession, booking: Booking, site: str) -> None:
    await _tell(session, booking, "booked", site)


async def reminded(session: AsyncSession, booking: Booking, site: str) -> None:
    await _tell(session, booking, "reminder", site)


async def cancelled(session: AsyncSession, booking: Booking, site: str) -> None:
    await _tell(session, booking, "cancelled", site)


async def rescheduled(session: AsyncSession, old: Booking, new: Booking, site: str) -> None:
    """One mail with the new slot's invitation (a mail client reads one invitation per
    message); a calendar that took the old one by mail keeps it, while the feed drops it."""
    await _tell(session, new, "rescheduled", site, before=old)
