"""Office-hour slots and bookings, with time zones done right.

Windows are stored as weekday + minutes in the educator's own zone, and expanded date by date
in that zone, so a 09:00 window stays at 09:00 for the educator across daylight-saving changes
while a student abroad sees it move in their own clock, as it really does.
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
    add_unique,
)

MAX_RANGE_DAYS = 62
JOIN_EARLY = timedelta(minutes=10)


class BookingError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Window:
    weekday: int
    start_minute: int
    end_minute: int


@dataclass(frozen=True, order=True)
class Slot:
    starts_at: datetime  # UTC
    ends_at: datetime


async def publish(
    session: AsyncSession,
    educator: User,
    course_id: int,
    time_zone: str,
    slot_minutes: int,
    cutoff_minutes: int,
    windows: list[Window],
    blocked: list[date],
) -> OfficeHours:
    """Replaces the educator's availability as a whole: the form edits it as a whole."""
    hours = await session.scalar(select(OfficeHours).where(OfficeHours.educator_id == educator.id))
    if hours is None:
        hours = OfficeHours(educator_id=educator.id)
        session.add(hours)
    hours.course_id, hours.time_zone = course_id, time_zone
    hours.slot_minutes, hours.cutoff_minutes = slot_minutes, cutoff_minutes
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
        for w in windows
    )
    session.add_all(BlockedDate(office_hours_id=hours.id, day=d) for d in set(blocked))
    await session.commit()
    return hours


async def load(
    session: AsyncSession, educator_id: int
) -> tuple[OfficeHours, list[Window], set[date]] | None:
    hours = await session.scalar(select(OfficeHours).where(OfficeHours.educator_id == educator_id))
    if hours is None:
        return None
    windows = [
        Window(w.weekday, w.start_minute, w.end_minute)
        for w in await session.scalars(
            select(AvailabilityWindow).where(AvailabilityWindow.office_hours_id == hours.id)
        )
    ]
    blocked = set(
        await session.scalars(
            select(BlockedDate.day).where(BlockedDate.office_hours_id == hours.id)
        )
    )
    return hours, windows, blocked


def expand(
    hours: OfficeHours, windows: list[Window], blocked: set[date], start: datetime, end: datetime
) -> list[Slot]:
    """Every slot starting in [start, end), in UTC, before bookings and cutoffs are applied."""
    zone = ZoneInfo(hours.time_zone)
    step = timedelta(minutes=hours.slot_minutes)
    slots: list[Slot] = []
    day = start.astimezone(zone).date() - timedelta(days=1)
    while day <= end.astimezone(zone).date():
        if day not in blocked:
            for window in (w for w in windows if w.weekday == day.weekday()):
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
    session: AsyncSession, educator_id: int, start: datetime, end: datetime, now: datetime
) -> list[Slot]:
    loaded = await load(session, educator_id)
    if loaded is None:
        return []
    hours, windows, blocked = loaded
    cutoff = now + timedelta(minutes=hours.cutoff_minutes)
    taken = set(
        await session.scalars(
            select(Booking.starts_at).where(
                Booking.educator_id == educator_id,
                Booking.status == "booked",
                Booking.starts_at >= start,
                Booking.starts_at < end,
            )
        )
    )
    return [
        s
        for s in expand(hours, windows, blocked, start, end)
        if s.starts_at >= cutoff and s.starts_at not in taken
    ]


async def book(
    session: AsyncSession, student: User, educator_id: int, starts_at: datetime, now: datetime
) -> Booking:
    starts_at = starts_at.astimezone(UTC)
    slot = next(
        (
            s
            for s in await free_slots(
                session, educator_id, starts_at, starts_at + timedelta(seconds=1), now
            )
        ),
        None,
    )
    loaded = await load(session, educator_id)
    if slot is None or loaded is None:
        raise BookingError("slot_unavailable", "that slot is not offered or no longer free")
    hours = loaded[0]
    meeting = Lecture(
        course_id=hours.course_id,
        title=f"Office hour: {student.display_name}",
        scheduled_start=slot.starts_at,
        duration_minutes=hours.slot_minutes,
        private_to=student.id,
    )
    booking = Booking(
        educator_id=educator_id,
        student_id=student.id,
        course_id=hours.course_id,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
    )
    if not await add_unique(session, booking):
        raise BookingError("slot_taken", "someone booked that slot a moment ago")
    session.add(meeting)
    await session.flush()
    booking.lecture_id = meeting.id
    await session.commit()
    return booking


async def ensure_cancellable(session: AsyncSession, booking: Booking, now: datetime) -> None:
    hours = await session.scalar(
        select(OfficeHours).where(OfficeHours.educator_id == booking.educator_id)
    )
    cutoff = timedelta(minutes=hours.cutoff_minutes if hours else 0)
    if booking.status != "booked":
        raise BookingError("conflict", "the booking is already cancelled")
    if booking.starts_at - cutoff < now:
        raise BookingError("too_late", "the cancellation cutoff has passed")


async def cancel(session: AsyncSession, booking: Booking, now: datetime) -> None:
    await ensure_cancellable(session, booking, now)
    booking.status = "cancelled"
    if booking.lecture_id:
        meeting = await session.get(Lecture, booking.lecture_id)
        if meeting is not None:
            meeting.status = "ended"
    await session.commit()


def meeting_open(lecture: Lecture, now: datetime) -> bool:
    """An office-hour room opens shortly before its slot and closes at its end."""
    start = lecture.scheduled_start
    return start - JOIN_EARLY <= now <= start + timedelta(minutes=lecture.duration_minutes)
