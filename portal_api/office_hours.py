"""Office hours over REST: publish availability, see free slots, book, cancel, reschedule."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import or_, select

from classroom_server.db import Booking, OfficeHours, Role, User
from classroom_server.db.paging import paginate, paginate_rows
from classroom_server.office_hours import (
    MAX_RANGE_DAYS,
    BookingError,
    Window,
    book,
    cancel,
    ensure_cancellable,
    free_slots,
    load,
    publish,
)
from classroom_server.services import services
from classroom_server.web_auth import require_user
from classroom_server.web_problems import Problem, forbidden, not_found
from portal_api.access import require_course
from portal_api.router import ApiRouter, path_id
from portal_api.schemas import DbId, Instant, ListPage, Page, TimeZone

router = ApiRouter()
# [0-9], not \d: pydantic's \d matches every script's digits, which int() would then read.
HHMM = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$")]


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


class WindowIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    weekday: int = Field(ge=0, le=6, description="Monday is 0")
    start: HHMM
    end: HHMM

    @model_validator(mode="after")
    def _ordered(self) -> WindowIn:
        if _minutes(self.end) <= _minutes(self.start):
            raise ValueError("a window ends after it starts")
        return self


class OfficeHoursIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    course_id: DbId
    time_zone: TimeZone
    slot_minutes: int = Field(20, ge=5, le=240)
    cutoff_minutes: int = Field(60, ge=0, le=7 * 24 * 60)
    windows: list[WindowIn] = Field(max_length=50)
    blocked_dates: list[date] = Field(default_factory=list, max_length=366)


class OfficeHoursOut(OfficeHoursIn):
    educator_id: int


class SlotQuery(Page):
    start: Instant
    end: Instant


class SlotOut(BaseModel):
    starts_at: datetime
    ends_at: datetime
    local_start: datetime = Field(description="starts_at in your own time zone")


class SlotList(BaseModel):
    time_zone: str
    items: list[SlotOut]
    total: int
    limit: int
    offset: int


class BookingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    educator_id: DbId
    starts_at: Instant


class Reschedule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    starts_at: Instant


class BookingOut(BaseModel):
    id: int
    educator_id: int
    student_id: int
    course_id: int
    starts_at: datetime
    ends_at: datetime
    status: str
    join_url: str | None
    student_name: str | None = Field(None, description="in your own list of bookings")
    educator_name: str | None = Field(None, description="in your own list of bookings")

    @classmethod
    def of(cls, b: Booking) -> BookingOut:
        return cls(
            id=b.id,
            educator_id=b.educator_id,
            student_id=b.student_id,
            course_id=b.course_id,
            starts_at=b.starts_at,
            ends_at=b.ends_at,
            status=b.status,
            join_url=f"/lectures/{b.lecture_id}" if b.lecture_id else None,
        )


class BookingQuery(Page):
    course_id: DbId | None = Field(None, description="only this course's bookings")
    upcoming: bool = Field(False, description="only bookings that have not ended yet")
    everyone: bool = Field(False, description="admins only: every booking, not only your own")


class BookingList(ListPage[BookingOut]):
    pass


class Host(BaseModel):
    educator_id: int
    name: str
    time_zone: str
    slot_minutes: int


class HostList(ListPage[Host]):
    pass


def _fmt(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _booking_problem(exc: BookingError) -> Problem:
    return Problem(409, exc.code, "Cannot book", str(exc))


@router.route(
    "PUT",
    "/office-hours",
    tag="office hours",
    body=OfficeHoursIn,
    response=OfficeHoursOut,
    errors=(404,),
)
async def put_office_hours(request: web.Request, body: OfficeHoursIn) -> OfficeHoursOut:
    """Publish your weekly availability (replaces what you had)."""
    user = await require_user(request, Role.EDUCATOR, Role.ADMIN)
    async with services(request).database.session() as session:
        await require_course(
            session,
            user,
            body.course_id,
            manage=True,
            denied="Offer office hours in a course you teach",
        )
        windows = [Window(w.weekday, _minutes(w.start), _minutes(w.end)) for w in body.windows]
        await publish(
            session,
            user,
            body.course_id,
            body.time_zone,
            body.slot_minutes,
            body.cutoff_minutes,
            windows,
            body.blocked_dates,
        )
    return OfficeHoursOut(educator_id=user.id, **body.model_dump())


@router.route(
    "GET", "/educators/{educator_id}/office-hours", tag="office hours", response=OfficeHoursOut
)
async def get_office_hours(request: web.Request) -> OfficeHoursOut:
    """An educator's published availability."""
    user = await require_user(request)
    educator_id = path_id(request, "educator_id", "educator")
    async with services(request).database.session() as session:
        loaded = await load(session, educator_id)
        if loaded is None:
            raise not_found(f"office hours of educator {educator_id}")
        hours, windows, blocked = loaded
        await require_course(
            session, user, hours.course_id, denied="You are not enrolled in this educator's course"
        )
    return OfficeHoursOut(
        educator_id=educator_id,
        course_id=hours.course_id,
        time_zone=hours.time_zone,
        slot_minutes=hours.slot_minutes,
        cutoff_minutes=hours.cutoff_minutes,
        windows=[
            WindowIn(weekday=w.weekday, start=_fmt(w.start_minute), end=_fmt(w.end_minute))
            for w in windows
        ],
        blocked_dates=sorted(blocked),
    )


@router.route(
    "GET", "/educators/{educator_id}/slots", tag="office hours", query=SlotQuery, response=SlotList
)
async def get_slots(request: web.Request, query: SlotQuery) -> SlotList:
    """Free slots between start and end (at most 62 days), also shown in your own zone."""
    user = await require_user(request)
    educator_id = path_id(request, "educator_id", "educator")
    if not timedelta(0) < query.end - query.start <= timedelta(days=MAX_RANGE_DAYS):
        raise Problem(
            422,
            "validation_error",
            "Invalid request",
            f"end must be after start, at most {MAX_RANGE_DAYS} days later",
        )
    async with services(request).database.session() as session:
        loaded = await load(session, educator_id)
        if loaded is None:
            raise not_found(f"office hours of educator {educator_id}")
        await require_course(
            session,
            user,
            loaded[0].course_id,
            denied="You are not enrolled in this educator's course",
        )
        slots = await free_slots(session, educator_id, query.start, query.end, datetime.now(UTC))
    zone = ZoneInfo(user.time_zone)
    page = slots[query.offset : query.offset + query.limit]
    return SlotList(
        time_zone=user.time_zone,
        items=[
            SlotOut(
                starts_at=s.starts_at, ends_at=s.ends_at, local_start=s.starts_at.astimezone(zone)
            )
            for s in page
        ],
        total=len(slots),
        limit=query.limit,
        offset=query.offset,
    )


@router.route(
    "POST",
    "/bookings",
    tag="office hours",
    body=BookingIn,
    response=BookingOut,
    status=201,
    errors=(404, 409),
)
async def post_booking(request: web.Request, body: BookingIn) -> BookingOut:
    """Book a free slot; the database refuses a second booking of the same slot."""
    user = await require_user(request, Role.STUDENT)
    async with services(request).database.session() as session:
        loaded = await load(session, body.educator_id)
        if loaded is None:
            raise not_found(f"office hours of educator {body.educator_id}")
        await require_course(
            session,
            user,
            loaded[0].course_id,
            denied="You are not enrolled in this educator's course",
        )
        try:
            booking = await book(session, user, body.educator_id, body.starts_at, datetime.now(UTC))
        except BookingError as exc:
            raise _booking_problem(exc) from exc
        return BookingOut.of(booking)


@router.route("GET", "/bookings", tag="office hours", query=BookingQuery, response=BookingList)
async def get_bookings(request: web.Request, query: BookingQuery) -> BookingList:
    """Your bookings, as the student or as the educator, soonest first; an admin answering
    a student's complaint can list everyone's."""
    user = await require_user(request)
    where = select(Booking)
    if query.everyone and user.role != Role.ADMIN:
        raise forbidden("only an admin lists everyone's bookings")
    if not query.everyone:
        where = where.where(or_(Booking.student_id == user.id, Booking.educator_id == user.id))
    if query.course_id is not None:
        where = where.where(Booking.course_id == query.course_id)
    if query.upcoming:
        where = where.where(Booking.ends_at > datetime.now(UTC))
    async with services(request).database.session() as session:
        rows, total = await paginate(
            session, where.order_by(Booking.starts_at, Booking.id), query.limit, query.offset
        )
        people = {b.student_id for b in rows} | {b.educator_id for b in rows}
        names = dict(
            (await session.execute(select(User.id, User.display_name).where(User.id.in_(people))))
            .tuples()
            .all()
        )
    items = []
    for b in rows:
        out = BookingOut.of(b)
        out.student_name, out.educator_name = names.get(b.student_id), names.get(b.educator_id)
        items.append(out)
    return BookingList.of(items, total, query)


@router.route(
    "GET", "/courses/{course_id}/office-hours", tag="office hours", query=Page, response=HostList
)
async def course_office_hours(request: web.Request, query: Page) -> HostList:
    """Who offers office hours in a course: the booking page starts here to find slots."""
    user = await require_user(request)
    course_id = path_id(request, "course_id", "course")
    async with services(request).database.session() as session:
        await require_course(session, user, course_id)
        where = (
            select(OfficeHours, User.display_name)
            .join(User, User.id == OfficeHours.educator_id)
            .where(OfficeHours.course_id == course_id)
        )
        rows, total = await paginate_rows(
            session, where.order_by(User.display_name, User.id), query.limit, query.offset
        )
    items = (
        Host(
            educator_id=hours.educator_id,
            name=name,
            time_zone=hours.time_zone,
            slot_minutes=hours.slot_minutes,
        )
        for hours, name in rows
    )
    return HostList.of(items, total, query)


async def _own_booking(request: web.Request, user: User) -> int:
    """A booking of the caller's own (as its student or educator); an admin's are all."""
    booking_id = path_id(request, "booking_id", "booking")
    async with services(request).database.session() as session:
        booking = await session.get(Booking, booking_id)
    if booking is None:
        raise not_found(f"booking {booking_id}")
    if user.role != Role.ADMIN and user.id not in (booking.student_id, booking.educator_id):
        raise not_found(f"booking {booking_id}")
    return booking_id


@router.route(
    "POST", "/bookings/{booking_id}/cancel", tag="office hours", response=BookingOut, errors=(409,)
)
async def cancel_booking(request: web.Request) -> BookingOut:
    """Cancel before the educator's cutoff (its student, its educator or an admin)."""
    user = await require_user(request)
    booking_id = await _own_booking(request, user)
    async with services(request).database.session() as session:
        booking = await session.get(Booking, booking_id)
        assert booking is not None
        try:
            await cancel(session, booking, datetime.now(UTC))
        except BookingError as exc:
            raise _booking_problem(exc) from exc
        return BookingOut.of(booking)


@router.route(
    "POST",
    "/bookings/{booking_id}/reschedule",
    tag="office hours",
    body=Reschedule,
    response=BookingOut,
    status=201,
    errors=(409,),
)
async def reschedule_booking(request: web.Request, body: Reschedule) -> BookingOut:
    """Move a booking (its student, or an admin for the student): the new slot is booked
    first, so a failure keeps the old one."""
    user = await require_user(request, Role.STUDENT, Role.ADMIN)
    booking_id = await _own_booking(request, user)
    now = datetime.now(UTC)
    async with services(request).database.session() as session:
        old = await session.get(Booking, booking_id)
        assert old is not None
        student = user if old.student_id == user.id else await session.get(User, old.student_id)
        assert student is not None
        try:
            await ensure_cancellable(session, old, now)
            new = await book(session, student, old.educator_id, body.starts_at, now)
            await cancel(session, old, now)
        except BookingError as exc:
            raise _booking_problem(exc) from exc
        return BookingOut.of(new)
