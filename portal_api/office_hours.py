"""Office hours over REST: publish availability, see free slots, book, cancel, reschedule."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.bookings import (
    BookingError,
    BookingView,
    book,
    bookings_page,
    cancel,
    reschedule,
)
from classroom_server.db import Database, Role, User
from classroom_server.drop_in import DropInError
from classroom_server.office_hours import (
    Availability,
    InvalidRange,
    NotAllowed,
    NotFound,
    Slot,
    SlotRange,
    Window,
    course_hosts,
    free_slot_page,
    office_hours_of,
    publish,
)
from classroom_server.site import Site
from classroom_server.web_auth import require_user
from classroom_server.web_problems import Problem, forbidden, not_found
from portal_api.access import require_course
from portal_api.router import ApiRouter, path_id
from portal_api.schemas import DbId, Instant, ListPage, Page, TimeZone

router = ApiRouter()
# [0-9], not \d: pydantic's \d matches every script's digits, which int() would then read.
HHMM = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$")]
NOT_IN_COURSE = "You are not enrolled in this educator's course"


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _fmt(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


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

    def availability(self, educator: User) -> Availability:
        return Availability(
            educator_id=educator.id,
            course_id=self.course_id,
            time_zone=self.time_zone,
            slot_minutes=self.slot_minutes,
            cutoff_minutes=self.cutoff_minutes,
            windows=tuple(
                Window(w.weekday, _minutes(w.start), _minutes(w.end)) for w in self.windows
            ),
            blocked_dates=tuple(self.blocked_dates),
        )


class OfficeHoursOut(OfficeHoursIn):
    educator_id: int

    @classmethod
    def of(cls, hours: Availability) -> OfficeHoursOut:
        return cls(
            educator_id=hours.educator_id,
            course_id=hours.course_id,
            time_zone=hours.time_zone,
            slot_minutes=hours.slot_minutes,
            cutoff_minutes=hours.cutoff_minutes,
            windows=[
                WindowIn(weekday=w.weekday, start=_fmt(w.start_minute), end=_fmt(w.end_minute))
                for w in hours.windows
            ],
            blocked_dates=list(hours.blocked_dates),
        )


class SlotQuery(Page):
    start: Instant
    end: Instant


class SlotOut(BaseModel):
    starts_at: datetime
    ends_at: datetime
    local_start: datetime = Field(description="starts_at in your own time zone")

    @classmethod
    def of(cls, slot: Slot, zone: ZoneInfo) -> SlotOut:
        return cls(
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            local_start=slot.starts_at.astimezone(zone),
        )


class SlotList(BaseModel):
    educator_id: int
    educator_name: str = Field(description="whom a slot is booked with")
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
    student_name: str | None
    educator_name: str | None

    @classmethod
    def of(cls, b: BookingView) -> BookingOut:
        return cls(
            id=b.id,
            educator_id=b.educator_id,
            student_id=b.student_id,
            course_id=b.course_id,
            starts_at=b.starts_at,
            ends_at=b.ends_at,
            status=b.status,
            join_url=f"/lectures/{b.lecture_id}" if b.lecture_id else None,
            student_name=b.student_name,
            educator_name=b.educator_name,
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


@contextlib.asynccontextmanager
async def office_hours_session(database: Database) -> AsyncIterator[AsyncSession]:
    """A session in which the office-hours rules' refusals (bookings' and drop-ins' too)
    answer as problem+json, each kind in the one shape the API has always given it."""
    async with database.session() as session:
        try:
            yield session
        except NotFound as exc:
            raise not_found(exc.what) from exc
        except NotAllowed as exc:
            raise forbidden(str(exc)) from exc
        except InvalidRange as exc:
            raise Problem(422, "validation_error", "Invalid request", str(exc)) from exc
        except BookingError as exc:
            raise Problem(409, exc.code, "Cannot book", str(exc)) from exc
        except DropInError as exc:
            raise Problem(409, exc.code, exc.message) from exc


async def _hours_for(session: AsyncSession, user: User, educator_id: int) -> Availability:
    """The educator's office hours, to a member of their course: seeing them, their slots and
    booking one are gated alike."""
    hours = await office_hours_of(session, educator_id)
    await require_course(session, user, hours.course_id, denied=NOT_IN_COURSE)
    return hours


@router.route(
    "PUT",
    "/office-hours",
    tag="office hours",
    body=OfficeHoursIn,
    response=OfficeHoursOut,
    errors=(404,),
)
async def put_office_hours(
    request: web.Request, body: OfficeHoursIn, db: Database
) -> OfficeHoursOut:
    """Publish your weekly availability (replaces what you had)."""
    user = await require_user(request, Role.EDUCATOR, Role.ADMIN)
    hours = body.availability(user)
    async with office_hours_session(db) as session:
        await require_course(
            session,
            user,
            hours.course_id,
            manage=True,
            denied="Offer office hours in a course you teach",
        )
        await publish(session, hours)
    return OfficeHoursOut.of(hours)


@router.route(
    "GET", "/educators/{educator_id}/office-hours", tag="office hours", response=OfficeHoursOut
)
async def get_office_hours(request: web.Request, db: Database) -> OfficeHoursOut:
    """An educator's published availability."""
    user = await require_user(request)
    educator_id = path_id(request, "educator_id", "educator")
    async with office_hours_session(db) as session:
        hours = await _hours_for(session, user, educator_id)
    return OfficeHoursOut.of(hours)


@router.route(
    "GET", "/educators/{educator_id}/slots", tag="office hours", query=SlotQuery, response=SlotList
)
async def get_slots(request: web.Request, query: SlotQuery, db: Database) -> SlotList:
    """Free slots between start and end (at most 62 days), also shown in your own zone."""
    user = await require_user(request)
    educator_id = path_id(request, "educator_id", "educator")
    async with office_hours_session(db) as session:
        span = SlotRange(query.start, query.end)
        hours = await _hours_for(session, user, educator_id)
        slots, total = await free_slot_page(
            session, hours, span, datetime.now(UTC), query.limit, query.offset
        )
        educator = await session.get(User, educator_id)
    assert educator is not None  # it has office hours
    zone = ZoneInfo(user.time_zone)
    return SlotList(
        educator_id=educator_id,
        educator_name=educator.display_name,
        time_zone=user.time_zone,
        items=[SlotOut.of(s, zone) for s in slots],
        total=total,
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
async def post_booking(
    request: web.Request, body: BookingIn, db: Database, site: Site
) -> BookingOut:
    """Book a free slot; the database refuses a second booking of the same slot."""
    user = await require_user(request, Role.STUDENT)
    async with office_hours_session(db) as session:
        hours = await _hours_for(session, user, body.educator_id)
        booking = await book(session, user, hours, body.starts_at, datetime.now(UTC), site)
    return BookingOut.of(booking)


@router.route("GET", "/bookings", tag="office hours", query=BookingQuery, response=BookingList)
async def get_bookings(request: web.Request, query: BookingQuery, db: Database) -> BookingList:
    """Your bookings, as the student or as the educator, soonest first; an admin answering
    a student's complaint can list everyone's."""
    user = await require_user(request)
    async with office_hours_session(db) as session:
        rows, total = await bookings_page(
            session,
            user,
            course_id=query.course_id,
            upcoming=query.upcoming,
            everyone=query.everyone,
            now=datetime.now(UTC),
            limit=query.limit,
            offset=query.offset,
        )
    return BookingList.of((BookingOut.of(b) for b in rows), total, query)


@router.route(
    "GET", "/courses/{course_id}/office-hours", tag="office hours", query=Page, response=HostList
)
async def course_office_hours(request: web.Request, query: Page, db: Database) -> HostList:
    """Who offers office hours in a course: the booking page starts here to find slots."""
    user = await require_user(request)
    course_id = path_id(request, "course_id", "course")
    async with office_hours_session(db) as session:
        await require_course(session, user, course_id)
        hosts, total = await course_hosts(session, course_id, query.limit, query.offset)
    return HostList.of((Host.model_validate(h, from_attributes=True) for h in hosts), total, query)


@router.route(
    "POST", "/bookings/{booking_id}/cancel", tag="office hours", response=BookingOut, errors=(409,)
)
async def cancel_booking(request: web.Request, db: Database, site: Site) -> BookingOut:
    """Cancel before the educator's cutoff (its student, its educator or an admin)."""
    user = await require_user(request)
    booking_id = path_id(request, "booking_id", "booking")
    async with office_hours_session(db) as session:
        booking = await cancel(session, user, booking_id, datetime.now(UTC), site)
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
async def reschedule_booking(
    request: web.Request, body: Reschedule, db: Database, site: Site
) -> BookingOut:
    """Move a booking (its student, or an admin for the student): the new slot is booked
    first, so a failure keeps the old one."""
    user = await require_user(request, Role.STUDENT, Role.ADMIN)
    booking_id = path_id(request, "booking_id", "booking")
    async with office_hours_session(db) as session:
        now = datetime.now(UTC)
        booking = await reschedule(session, user, booking_id, body.starts_at, now, site)
    return BookingOut.of(booking)
