"""Drop-in office hours over REST; pages poll the queue (a few requests a minute per student)."""

from __future__ import annotations

from typing import Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from classroom_server.db import DropIn, Role, User
from classroom_server.drop_in import (
    admit_next,
    close,
    enter,
    latest_entry,
    open_drop_ins,
    place,
    queue,
    queue_length,
)
from classroom_server.services import services
from classroom_server.web_auth import require_user
from classroom_server.web_problems import Problem, forbidden, not_found
from portal_api.access import require_course
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


class DropInList(ListPage[DropInOut]):
    pass


class MyPlace(BaseModel):
    state: Literal["waiting", "admitted", "left", "none"]
    place: int | None
    join_url: str | None


class Admitted(BaseModel):
    student_id: int
    join_url: str


async def _drop_in(request: web.Request, user: User, owner: bool) -> DropIn:
    drop_in_id = path_id(request, "drop_in_id", "drop-in")
    async with services(request).database.session() as session:
        drop_in = await session.get(DropIn, drop_in_id)
        if drop_in is None:
            raise not_found(f"drop-in {drop_in_id}")
        if owner and drop_in.educator_id != user.id and user.role != Role.ADMIN:
            raise forbidden("Only the educator who opened it (or an admin) runs this queue")
        await require_course(session, user, drop_in.course_id)
    return drop_in


def _out(drop_in: DropIn, waiting: list[Waiting] | None = None, total: int = 0) -> DropInOut:
    return DropInOut(
        id=drop_in.id,
        course_id=drop_in.course_id,
        educator_id=drop_in.educator_id,
        open=drop_in.open,
        queue=waiting,
        queue_total=None if waiting is None else total,
    )


@router.route(
    "POST",
    "/drop-ins",
    tag="office hours",
    body=DropInCreate,
    response=DropInOut,
    status=201,
    errors=(404,),
)
async def open_drop_in(request: web.Request, body: DropInCreate) -> DropInOut:
    """Open drop-in office hours now."""
    user = await require_user(request, Role.EDUCATOR, Role.ADMIN)
    async with services(request).database.session() as session:
        await require_course(
            session,
            user,
            body.course_id,
            manage=True,
            denied="Open drop-in hours in a course you teach",
        )
        drop_in = DropIn(educator_id=user.id, course_id=body.course_id)
        session.add(drop_in)
        await session.commit()
    return _out(drop_in, [])


@router.route(
    "GET", "/courses/{course_id}/drop-ins", tag="office hours", query=Page, response=DropInList
)
async def list_drop_ins(request: web.Request, query: Page) -> DropInList:
    """The course's open drop-in office hours, oldest first."""
    user = await require_user(request)
    course_id = path_id(request, "course_id", "course")
    async with services(request).database.session() as session:
        await require_course(session, user, course_id)
        rows, total = await open_drop_ins(session, course_id, query.limit, query.offset)
    return DropInList.of((_out(d) for d in rows), total, query)


@router.route("GET", "/drop-ins/{drop_in_id}", tag="office hours", query=Page, response=DropInOut)
async def get_drop_in(request: web.Request, query: Page) -> DropInOut:
    """A page of the queue in arrival order (the educator who opened it, or an admin)."""
    user = await require_user(request)
    drop_in = await _drop_in(request, user, owner=True)
    async with services(request).database.session() as session:
        total = await queue_length(session, drop_in.id)
        waiting = await queue(session, drop_in.id, query.limit, query.offset)
    page = [
        Waiting(student_id=u.id, name=u.display_name, place=query.offset + i + 1)
        for i, (_, u) in enumerate(waiting)
    ]
    return _out(drop_in, page, total)


@router.route(
    "POST", "/drop-ins/{drop_in_id}/admit", tag="office hours", response=Admitted, errors=(409,)
)
async def admit(request: web.Request) -> Admitted:
    """Admit the next student into a private meeting room."""
    user = await require_user(request)
    drop_in = await _drop_in(request, user, owner=True)
    async with services(request).database.session() as session:
        entry = await admit_next(session, drop_in)
    if entry is None:
        raise Problem(409, "queue_empty", "Nobody is waiting")
    return Admitted(student_id=entry.student_id, join_url=f"/lectures/{entry.lecture_id}")


@router.route("POST", "/drop-ins/{drop_in_id}/close", tag="office hours", response=DropInOut)
async def close_drop_in(request: web.Request) -> DropInOut:
    """Close the drop-in; whoever still waits is told it closed."""
    user = await require_user(request)
    drop_in = await _drop_in(request, user, owner=True)
    async with services(request).database.session() as session:
        row = await session.get(DropIn, drop_in.id)
        assert row is not None
        await close(session, row)
        return _out(row, [])


async def _my_place(request: web.Request, user: User, drop_in: DropIn) -> MyPlace:
    async with services(request).database.session() as session:
        entry = await latest_entry(session, drop_in.id, user.id)
        if entry is None:
            return MyPlace(state="none", place=None, join_url=None)
        spot = await place(session, entry) if entry.state == "waiting" else None
    join = f"/lectures/{entry.lecture_id}" if entry.lecture_id else None
    return MyPlace(state=entry.state, place=spot, join_url=join)


@router.route(
    "POST", "/drop-ins/{drop_in_id}/queue", tag="office hours", response=MyPlace, errors=(409,)
)
async def join_queue(request: web.Request) -> MyPlace:
    """Wait in the queue (joining again keeps your place)."""
    user = await require_user(request, Role.STUDENT)
    drop_in = await _drop_in(request, user, owner=False)
    if not drop_in.open:
        raise Problem(409, "closed", "The drop-in office hours have closed")
    async with services(request).database.session() as session:
        await enter(session, drop_in, user)
    return await _my_place(request, user, drop_in)


@router.route("GET", "/drop-ins/{drop_in_id}/queue/me", tag="office hours", response=MyPlace)
async def my_place(request: web.Request) -> MyPlace:
    """Your place in the queue, or the room to enter once admitted."""
    user = await require_user(request)
    drop_in = await _drop_in(request, user, owner=False)
    return await _my_place(request, user, drop_in)
