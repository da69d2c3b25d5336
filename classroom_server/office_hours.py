"""An educator's office hours: the weekly availability they publish, the free slots it offers,
who offers it in a course, and the refusals the office-hours rules answer with.

Windows are stored as weekday + minutes in the educator's own zone, and expanded date by date
in that zone, so a 09:00 window stays at 09:00 for the educator across daylight-saving changes
while a student abroad sees it move in their own clock, as it really does.

Bookings made in these slots are ``classroom_server.bookings``; drop-in hours are
``classroom_server.drop_in``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import (
    AvailabilityWindow,
    BlockedDate,
    Booking,
    Lecture,
    OfficeHours,
    User,
)
from classroom_server.db.paging import paginate_rows

MAX_RANGE_DAYS = 62
JOIN_EARLY = timedelta(minutes=10)


class NotFound(LookupError):
    """No such thing, or none the user may act on: both answer alike, so ids cannot be probed."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} does not exist")
        self.what = what


class NotAllowed(Exception):
    """The user may see the thing but not do this; the message says who may."""


class InvalidRange(ValueError):
    """Slots asked for in an empty range, or one longer than ``MAX_RANGE_DAYS``."""


@dataclass(frozen=True)
class Window:
    weekday: int
    start_minute: int
    end_minute: int


@dataclass(frozen=True, order=True)
class Slot:
    starts_at: datetime  # UTC
    ends_at: datetime


@dataclass(frozen=True)
class Availability:
    """An educator's office hours as a whole: the form publishes and shows them as one thing,
    and slots are cut from them."""

    educator_id: int
    course_id: int
    time_zone: str
    slot_minutes: int
    cutoff_minutes: int
    windows: tuple[Window, ...]
    blocked_dates: tuple[date, ...]


@dataclass(frozen=True)
class SlotRange:
    """Where free slots are looked for; bounded so that one request expands a bounded number
    of days."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if not timedelta(0) < self.end - self.start <= timedelta(days=MAX_RANGE_DAYS):
            raise InvalidRange(f"end must be after start, at most {MAX_RANGE_DAYS} days later")


@dataclass(frozen=True)
class HostView:
    """Someone offering office hours in a course, as the booking page lists them."""

    educator_id: int
    name: str
    time_zone: str
    slot_minutes: int


async def publish(session: AsyncSession, availability: Availability) -> None:
    """Replaces the educator's availability as a whole: the form edits it as a whole."""
    hours = await session.scalar(
        select(OfficeHours).where(OfficeHours.educator_id == availability.educator_id)
    )
    if hours is None:
        hours = OfficeHours(educator_id=availability.educator_id)
        session.add(hours)
    hours.course_id, hours.time_zone = availability.course_id, availability.time_zone
    hours.slot_minutes = availability.slot_minutes
    hours.cutoff_minutes = availability.cutoff_minutes
    await session.flush()
    await session.execute(
        delete(AvailabilityWindow).where(AvailabilityWindow.office_hours_id == hours.id)
    )
    await session.execute(delete(BlockedDate).where(BlockedDate.office_hours_id == hours.id))
    session.add_all(
        AvailabilityWindow(
            office_hours_id=hours.id,
            weekday=w.weekday,
            start_minute=w.start_minute,
            end_minute=w.end_minute,
        )
        for w in availability.windows
    )
    session.add_all(
        BlockedDate(office_hours_id=hours.id, day=d) for d in set(availability.blocked_dates)
    )
    await session.commit()


async def published(session: AsyncSession, educator_id: int) -> Availability | None:
    """The educator's availability, blocked dates in order; None if they never published."""
    hours = await session.scalar(select(OfficeHours).where(OfficeHours.educator_id == educator_id))
    if hours is None:
        return None
    windows = await session.scalars(
        select(AvailabilityWindow).where(AvailabilityWindow.office_hours_id == hours.id)
    )
    blocked = await session.scalars(
        select(BlockedDate.day).where(BlockedDate.office_hours_id == hours.id)
    )
    return Availability(
        educator_id=educator_id,
        course_id=hours.course_id,
        time_zone=hours.time_zone,
        slot_minutes=hours.slot_minutes,
        cutoff_minutes=hours.cutoff_minutes,
        windows=tuple(Window(w.weekday, w.start_minute, w.end_minute) for w in windows),
        blocked_dates=tuple(sorted(set(blocked))),
    )


async def office_hours_of(session: AsyncSession, educator_id: int) -> Availability:
    """The educator's availability, or NotFound: everything about their office hours (seeing
    them, their slots, booking one) starts here, and their course is the gate."""
    availability = await published(session, educator_id)
    if availability is None:
        raise NotFound(f"office hours of educator {educator_id}")
    return availability


def expand(availability: Availability, start: datetime, end: datetime) -> list[Slot]:
    """Every slot starting in [start, end), in UTC, before bookings and cutoffs are applied."""
    zone = ZoneInfo(availability.time_zone)
    step = timedelta(minutes=availability.slot_minutes)
    blocked = set(availability.blocked_dates)
    slots: list[Slot] = []
    day = start.astimezone(zone).date() - timedelta(days=1)
    while day <= end.astimezone(zone).date():
        if day not in blocked:
            for window in (w for w in availability.windows if w.weekday == day.weekday()):
                slots += _window_slots(day, window, zone, step)
        day += timedelta(days=1)
    return sorted(s for s in set(slots) if start <= s.starts_at < end)


def _window_slots(day: date, window: Window, zone: ZoneInfo, step: timedelta) -> list[Slot]:
    slots = []
    minute = window.start_minute
    while minute + step.seconds // 60 <= window.end_minute:
        local = datetime.combine(day, time(minute // 60, minute % 60), zone)
        starts = local.astimezone(UTC)
        if starts.astimezone(zone).replace(tzinfo=None) == local.replace(tzinfo=None):
            slots.append(Slot(starts, starts + step))  # skip times a DST jump makes not exist
        minute += step.seconds // 60
    return slots


async def free_slots(
    session: AsyncSession, availability: Availability, span: SlotRange, now: datetime
) -> list[Slot]:
    """The slots still offered in ``span``: past the cutoff from ``now``, and not booked."""
    cutoff = now + timedelta(minutes=availability.cutoff_minutes)
    taken = set(
        await session.scalars(
            select(Booking.starts_at).where(
                Booking.educator_id == availability.educator_id,
                Booking.status == "booked",
                Booking.starts_at >= span.start,
                Booking.starts_at < span.end,
            )
        )
    )
    return [
        s
        for s in expand(availability, span.start, span.end)
        if s.starts_at >= cutoff and s.starts_at not in taken
    ]


async def free_slot_page(
    session: AsyncSession,
    availability: Availability,
    span: SlotRange,
    now: datetime,
    limit: int,
    offset: int,
) -> tuple[list[Slot], int]:
    """A page of the free slots in ``span``, soonest first, and how many there are: slots are
    computed, not rows, so the page is cut here rather than by the database."""
    slots = await free_slots(session, availability, span, now)
    return slots[offset : offset + limit], len(slots)


async def course_hosts(
    session: AsyncSession, course_id: int, limit: int, offset: int
) -> tuple[list[HostView], int]:
    """A page of who offers office hours in the course, by name, and how many do."""
    query = (
        select(OfficeHours, User.display_name)
        .join(User, User.id == OfficeHours.educator_id)
        .where(OfficeHours.course_id == course_id)
        .order_by(User.display_name, User.id)
    )
    rows, total = await paginate_rows(session, query, limit, offset)
    hosts = [
        HostView(
            educator_id=hours.educator_id,
            name=name,
            time_zone=hours.time_zone,
            slot_minutes=hours.slot_minutes,
        )
        for hours, name in rows
    ]
    return hosts, total


def meeting_open(lecture: Lecture, now: datetime) -> bool:
    """An office-hour room opens shortly before its slot and closes at its end."""
    start = lecture.scheduled_start
    return start - JOIN_EARLY <= now <= start + timedelta(minutes=lecture.duration_minutes)
