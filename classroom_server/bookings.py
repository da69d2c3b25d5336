"""Office-hour bookings: booking a free slot with its private meeting room, cancelling before
the educator's cutoff, rescheduling, and whose bookings a user may see and act on.

Double booking is refused by the database (a partial unique index, see
``classroom_server.db.office_models``), not by a check here that a race could slip past.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server import booking_mail
from classroom_server.db import Booking, Lecture, OfficeHours, Role, User, add_unique
from classroom_server.db.paging import paginate
from classroom_server.office_hours import (
    Availability,
    NotAllowed,
    NotFound,
    SlotRange,
    free_slots,
    published,
)
from classroom_server.site import Site


class BookingError(Exception):
    """The booking cannot be made or changed now; ``code`` says why (the slot went, the
    cutoff passed), for the student to pick another slot or leave it be."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _slot_unavailable() -> BookingError:
    return BookingError("slot_unavailable", "that slot is not offered or no longer free")


@dataclass(frozen=True)
class BookingView:
    """A booking; with its parties' names in a list of bookings, where the page shows who."""

    id: int
    educator_id: int
    student_id: int
    course_id: int
    starts_at: datetime
    ends_at: datetime
    status: str
    lecture_id: int | None
    student_name: str | None = None
    educator_name: str | None = None

    @classmethod
    def of(cls, booking: Booking, names: Mapping[int, str] | None = None) -> BookingView:
        names = names or {}
        return cls(
            id=booking.id,
            educator_id=booking.educator_id,
            student_id=booking.student_id,
            course_id=booking.course_id,
            starts_at=booking.starts_at,
            ends_at=booking.ends_at,
            status=booking.status,
            lecture_id=booking.lecture_id,
            student_name=names.get(booking.student_id),
            educator_name=names.get(booking.educator_id),
        )


async def book(
    session: AsyncSession,
    student: User,
    availability: Availability,
    starts_at: datetime,
    now: datetime,
    site: Site,
) -> BookingView:
    """Books the free slot starting at ``starts_at``, opens its private meeting room and
    tells both parties (in the same commit)."""
    booking = await _book(session, student, availability, starts_at, now)
    if site.mail:
        await booking_mail.booked(session, booking, site.address)
    await session.commit()
    return await _view(session, booking)


async def _book(
    session: AsyncSession,
    student: User,
    availability: Availability,
    starts_at: datetime,
    now: datetime,
) -> Booking:
    starts_at = starts_at.astimezone(UTC)
    span = SlotRange(starts_at, starts_at + timedelta(seconds=1))
    slot = next(iter(await free_slots(session, availability, span, now)), None)
    if slot is None:
        raise _slot_unavailable()
    meeting = Lecture(
        course_id=availability.course_id,
        title=f"Office hour: {student.display_name}",
        scheduled_start=slot.starts_at,
        duration_minutes=availability.slot_minutes,
        private_to=student.id,
    )
    booking = Booking(
        educator_id=availability.educator_id,
        student_id=student.id,
        course_id=availability.course_id,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
    )
    if not await add_unique(session, booking):
        raise BookingError("slot_taken", "someone booked that slot a moment ago")
    session.add(meeting)
    await session.flush()
    booking.lecture_id = meeting.id
    return booking


async def bookings_page(
    session: AsyncSession,
    user: User,
    *,
    course_id: int | None,
    upcoming: bool,
    everyone: bool,
    now: datetime,
    limit: int,
    offset: int,
) -> tuple[list[BookingView], int]:
    """A page of the user's bookings (as the student or as the educator), soonest first, with
    both parties' names, and how many there are; an admin answering a student's complaint can
    list everyone's (``everyone``)."""
    if everyone and user.role != Role.ADMIN:
        raise NotAllowed("only an admin lists everyone's bookings")
    query = select(Booking)
    if not everyone:
        query = query.where(or_(Booking.student_id == user.id, Booking.educator_id == user.id))
    if course_id is not None:
        query = query.where(Booking.course_id == course_id)
    if upcoming:
        query = query.where(Booking.ends_at > now)
    rows, total = await paginate(
        session, query.order_by(Booking.starts_at, Booking.id), limit, offset
    )
    names = await _names(session, [b.student_id for b in rows] + [b.educator_id for b in rows])
    return [BookingView.of(b, names) for b in rows], total


async def _names(session: AsyncSession, user_ids: list[int]) -> dict[int, str]:
    rows = await session.execute(
        select(User.id, User.display_name).where(User.id.in_(set(user_ids)))
    )
    return {user_id: name for user_id, name in rows}


async def _view(session: AsyncSession, booking: Booking) -> BookingView:
    """A booking with both parties' names: a student booking sees whom they booked."""
    return BookingView.of(booking, await _names(session, [booking.student_id, booking.educator_id]))


async def _party_to(session: AsyncSession, user: User, booking_id: int) -> Booking:
    """A booking of the user's own (as its student or educator); an admin's are all. Anyone
    else's answers as if it did not exist."""
    booking = await session.get(Booking, booking_id)
    if booking is None:
        raise NotFound(f"booking {booking_id}")
    if user.role != Role.ADMIN and user.id not in (booking.student_id, booking.educator_id):
        raise NotFound(f"booking {booking_id}")
    return booking


async def cancel(
    session: AsyncSession, user: User, booking_id: int, now: datetime, site: Site
) -> BookingView:
    """Cancels before the educator's cutoff (its student, its educator or an admin), ends
    its meeting room, and tells both parties."""
    booking = await _party_to(session, user, booking_id)
    await _mark_cancelled(session, booking, now)
    if site.mail:
        await booking_mail.cancelled(session, booking, site.address)
    await session.commit()
    return await _view(session, booking)


async def reschedule(
    session: AsyncSession,
    user: User,
    booking_id: int,
    starts_at: datetime,
    now: datetime,
    site: Site,
) -> BookingView:
    """Moves a booking (by its student, or an admin for the student) to the slot at
    ``starts_at``: the new slot is booked first, so a failure keeps the old one."""
    old = await _party_to(session, user, booking_id)
    student = user if old.student_id == user.id else await session.get(User, old.student_id)
    assert student is not None  # a booking goes with its student (ON DELETE CASCADE)
    await _ensure_cancellable(session, old, now)
    availability = await published(session, old.educator_id)
    if availability is None:
        raise _slot_unavailable()
    new = await _book(session, student, availability, starts_at, now)
    await _mark_cancelled(session, old, now)
    if site.mail:
        await booking_mail.rescheduled(session, old, new, site.address)
    await session.commit()
    return await _view(session, new)


async def _ensure_cancellable(session: AsyncSession, booking: Booking, now: datetime) -> None:
    hours = await session.scalar(
        select(OfficeHours).where(OfficeHours.educator_id == booking.educator_id)
    )
    cutoff = timedelta(minutes=hours.cutoff_minutes if hours else 0)
    if booking.status != "booked":
        raise BookingError("conflict", "the booking is already cancelled")
    if booking.starts_at - cutoff < now:
        raise BookingError("too_late", "the cancellation cutoff has passed")


async def _mark_cancelled(session: AsyncSession, booking: Booking, now: datetime) -> None:
    await _ensure_cancellable(session, booking, now)
    booking.status = "cancelled"
    if booking.lecture_id:
        meeting = await session.get(Lecture, booking.lecture_id)
        if meeting is not None:
            meeting.status = "ended"
