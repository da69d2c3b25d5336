"""Drop-in office hours over REST; pages poll the queue (a few requests a minute per student)."""

from __future__ import annotations

from typing import Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import Database, DropIn, Role, User
from classroom_server.drop_in import (
    QueuePlace,
    admit_next,
    close,
    drop_in_for,
    enter,
    open_drop_ins,
    place_of,
    start_drop_in,
    waiting_page,
)
from classroom_server.web_auth import require_user
from portal_api.access import require_course
from portal_api.office_hours import office_hours_session
from portal_api.router import ApiRouter, path_id
from portal_api.schemas import DbId, ListPage, Page

router = ApiRouter()


class DropInCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    course_id: DbId


class Waiting(BaseModel):
    student_id: int
    name: str
    place: int


class DropInOut(BaseModel):
    id: int
    course_id: int
    educator_id: int
    open: bool
    queue: list[Waiting] | None = Field(
        None, description="educator only: one page (limit/offset) of who waits, in order"
    )
    queue_total: int | None = Field(None, description="educator only: how many wait in all")

    @classmethod
    def of(cls, drop_in: DropIn, waiting: list[Waiting] | None = None, total: int = 0) -> DropInOut:
        return cls(
            id=drop_in.id,
            course_id=drop_in.course_id,
            educator_id=drop_in.educator_id,
            open=drop_in.open,
            queue=waiting,
            queue_total=None if waiting is None else total,
        )


class DropInList(ListPage[DropInOut]):
    pass


class MyPlace(BaseModel):
    state: Literal["waiting", "admitted", "left", "none"]
    place: int | None
    join_url: str | None

    @classmethod
    def of(cls, place: QueuePlace) -> MyPlace:
        join = f"/lectures/{place.lecture_id}" if place.lecture_id else None
        return cls(state=place.state, place=place.place, join_url=join)


class Admitted(BaseModel):
    student_id: int
    join_url: str


async def _drop_in(session: AsyncSession, request: web.Request, user: User, *, run: bool) -> DropIn:
    """The drop-in of the path, to a user of its course (``run``: to whoever runs its queue)."""
    drop_in = await drop_in_for(session, user, path_id(request, "drop_in_id", "drop-in"), run=run)
    await require_course(session, user, drop_in.course_id)
    return drop_in


@router.route(
    "POST",
    "/drop-ins",
    tag="office hours",
    body=DropInCreate,
    response=DropInOut,
    status=201,
    errors=(404,),
)
async def open_drop_in(request: web.Request, body: DropInCreate, db: Database) -> DropInOut:
    """Open drop-in office hours now."""
    user = await require_user(request, Role.EDUCATOR, Role.ADMIN)
    async with office_hours_session(db) as session:
        await require_course(
            session,
            user,
            body.course_id,
            manage=True,
            denied="Open drop-in hours in a course you teach",
        )
        drop_in = await start_drop_in(session, user, body.course_id)
    return DropInOut.of(drop_in, [])


@router.route(
    "GET", "/courses/{course_id}/drop-ins", tag="office hours", query=Page, response=DropInList
)
async def list_drop_ins(request: web.Request, query: Page, db: Database) -> DropInList:
    """The course's open drop-in office hours, oldest first."""
    user = await require_user(request)
    course_id = path_id(request, "course_id", "course")
    async with office_hours_session(db) as session:
        await require_course(session, user, course_id)
        rows, total = await open_drop_ins(session, course_id, query.limit, query.offset)
    return DropInList.of((DropInOut.of(d) for d in rows), total, query)


@router.route("GET", "/drop-ins/{drop_in_id}", tag="office hours", query=Page, response=DropInOut)
async def get_drop_in(request: web.Request, query: Page, db: Database) -> DropInOut:
    """A page of the queue in arrival order (the educator who opened it, or an admin)."""
    user = await require_user(request)
    async with office_hours_session(db) as session:
        drop_in = await _drop_in(session, request, user, run=True)
        waiting, total = await waiting_page(session, drop_in, query.limit, query.offset)
    page = [Waiting.model_validate(w, from_attributes=True) for w in waiting]
    return DropInOut.of(drop_in, page, total)


@router.route(
    "POST", "/drop-ins/{drop_in_id}/admit", tag="office hours", response=Admitted, errors=(409,)
)
async def admit(request: web.Request, db: Database) -> Admitted:
    """Admit the next student into a private meeting room."""
    user = await require_user(request)
    async with office_hours_session(db) as session:
        drop_in = await _drop_in(session, request, user, run=True)
        entry = await admit_next(session, drop_in)
    return Admitted(student_id=entry.student_id, join_url=f"/lectures/{entry.lecture_id}")


@router.route("POST", "/drop-ins/{drop_in_id}/close", tag="office hours", response=DropInOut)
async def close_drop_in(request: web.Request, db: Database) -> DropInOut:
    """Close the drop-in; whoever still waits is told it closed."""
    user = await require_user(request)
    async with office_hours_session(db) as session:
        drop_in = await _drop_in(session, request, user, run=True)
        await close(session, drop_in)
    return DropInOut.of(drop_in, [])


@router.route(
    "POST", "/drop-ins/{drop_in_id}/queue", tag="office hours", response=MyPlace, errors=(409,)
)
async def join_queue(request: web.Request, db: Database) -> MyPlace:
    """Wait in the queue (joining again keeps your place)."""
    user = await require_user(request, Role.STUDENT)
    async with office_hours_session(db) as session:
        drop_in = await _drop_in(session, request, user, run=False)
        place = await enter(session, drop_in, user)
    return MyPlace.of(place)


@router.route("GET", "/drop-ins/{drop_in_id}/queue/me", tag="office hours", response=MyPlace)
async def my_place(request: web.Request, db: Database) -> MyPlace:
    """Your place in the queue, or the room to enter once admitted."""
    user = await require_user(request)
    async with office_hours_session(db) as session:
        drop_in = await _drop_in(session, request, user, run=False)
        place = await place_of(session, drop_in, user)
    return MyPlace.of(place)
