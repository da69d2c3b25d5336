"""Lectures: schedule, start, end, and the join token for the live room."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, StrictBool
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import Database, Lecture, LectureStatus, User, Video
from classroom_server.guest_links import end_guest_sessions
from classroom_server.lectures import (
    JoinRefused,
    create_lecture,
    end_by_api,
    join_role,
    list_lectures,
    start,
)
from classroom_server.live_lectures import live_for
from classroom_server.room import Outcome, RoomBroadcaster
from classroom_server.security import TokenIssuer
from classroom_server.web_auth import require_user
from classroom_server.web_problems import Problem
from portal_api.access import require_course, require_lecture
from portal_api.router import ApiRouter, path_id
from portal_api.schemas import Instant, ListPage, Page
from vod.library import lecture_recordings

router = ApiRouter()
JOIN_TOKEN_LIFETIME = timedelta(minutes=5)


class LectureCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    scheduled_start: Instant
    duration_minutes: int = Field(60, ge=5, le=600)
    requires_admission: StrictBool = Field(
        False,
        description="Students wait in the lobby until an educator admits them (the educator"
        " can turn it on and off live: room:lobby)",
    )


class LectureUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    requires_admission: StrictBool | None = Field(
        None, description="Students wait in the lobby until admitted (live: room:lobby)"
    )


class LectureRecording(BaseModel):
    video_id: int
    status: Literal["processing", "ready", "failed"]


class LectureOut(BaseModel):
    id: int
    course_id: int
    title: str
    scheduled_start: datetime
    duration_minutes: int
    status: Literal["scheduled", "live", "ended"]
    started_at: datetime | None
    ended_at: datetime | None
    requires_admission: bool = False
    recording: LectureRecording | None = Field(
        None,
        description="The lecture's recording in the video library (its latest video you may"
        " watch), there from the moment the lecture ends; null: none",
    )

    @classmethod
    def of(cls, lecture: Lecture, recording: Video | None = None) -> LectureOut:
        out = cls.model_validate(lecture, from_attributes=True)
        if recording is not None:
            out.recording = LectureRecording(video_id=recording.id, status=recording.status)
        return out


async def lectures_out(
    session: AsyncSession, user: User, lectures: list[Lecture]
) -> list[LectureOut]:
    ended = [x.id for x in lectures if x.status == LectureStatus.ENDED.value]
    videos = await lecture_recordings(session, user, ended)
    return [LectureOut.of(x, videos.get(x.id)) for x in lectures]


class LectureList(ListPage[LectureOut]):
    pass


class JoinOut(BaseModel):
    token: str
    namespace: Literal["/classroom"] = "/classroom"
    socket_path: Literal["/socket.io/"] = "/socket.io/"
    room_url: str
    role: Literal["educator", "student"]
    expires_in: int


@router.route(
    "POST",
    "/courses/{course_id}/lectures",
    tag="lectures",
    body=LectureCreate,
    response=LectureOut,
    status=201,
)
async def post_lecture(request: web.Request, body: LectureCreate, db: Database) -> LectureOut:
    """Schedule a lecture (the course's educators)."""
    user = await require_user(request)
    course_id = path_id(request, "course_id", "course")
    async with db.session() as session:
        await require_course(session, user, course_id, manage=True)
        lecture = await create_lecture(
            session,
            course_id,
            body.title,
            body.scheduled_start,
            body.duration_minutes,
            body.requires_admission,
        )
        await session.commit()
        return LectureOut.of(lecture)


@router.route(
    "GET", "/courses/{course_id}/lectures", tag="lectures", query=Page, response=LectureList
)
async def get_lectures(request: web.Request, query: Page, db: Database) -> LectureList:
    """A course's lectures, in schedule order."""
    user = await require_user(request)
    course_id = path_id(request, "course_id", "course")
    async with db.session() as session:
        await require_course(session, user, course_id)
        lectures, total = await list_lectures(session, course_id, query.limit, query.offset)
        items = await lectures_out(session, user, lectures)
    return LectureList.of(items, total, query)


@router.route("GET", "/lectures/{lecture_id}", tag="lectures", response=LectureOut)
async def get_lecture(request: web.Request, db: Database) -> LectureOut:
    """One lecture."""
    lecture_id = path_id(request, "lecture_id", "lecture")
    user = await require_user(request, guest_lecture=lecture_id)
    async with db.session() as session:
        lecture = await require_lecture(session, user, lecture_id)
        return (await lectures_out(session, user, [lecture]))[0]


@router.route(
    "PATCH",
    "/lectures/{lecture_id}",
    tag="lectures",
    body=LectureUpdate,
    response=LectureOut,
    errors=(409,),
)
async def patch_lecture(request: web.Request, body: LectureUpdate, db: Database) -> LectureOut:
    """Change a lecture before it starts (its educators); once live, the room's own events
    change it (room:lobby), so the people in it hear of it."""
    user = await require_user(request)
    lecture_id = path_id(request, "lecture_id", "lecture")
    async with db.session() as session:
        lecture = await require_lecture(session, user, lecture_id, manage=True)
        if lecture.status != LectureStatus.SCHEDULED.value:
            detail = "Only a scheduled lecture changes here; in the live room use room:lobby"
            raise Problem(409, "lecture_started", "Conflict", detail)
        if body.requires_admission is not None:
            lecture.requires_admission = body.requires_admission
        await session.commit()
        return (await lectures_out(session, user, [lecture]))[0]


@router.route(
    "POST", "/lectures/{lecture_id}/start", tag="lectures", response=LectureOut, errors=(409,)
)
async def post_start(request: web.Request, db: Database) -> LectureOut:
    """Open the room to students."""
    user = await require_user(request)
    lecture_id = path_id(request, "lecture_id", "lecture")
    async with db.session() as session:
        lecture = await require_lecture(session, user, lecture_id, manage=True)
        try:
            start(lecture)
        except JoinRefused as exc:
            raise Problem(409, exc.code, "Conflict", str(exc)) from exc
        await session.commit()
        return LectureOut.of(lecture)


@router.route("POST", "/lectures/{lecture_id}/end", tag="lectures", response=LectureOut)
async def post_end(request: web.Request, db: Database, broadcaster: RoomBroadcaster) -> LectureOut:
    """End the lecture for everyone in the room."""
    user = await require_user(request)
    lecture_id = path_id(request, "lecture_id", "lecture")
    async with db.session() as session:
        lecture = await require_lecture(session, user, lecture_id, manage=True)
        end_by_api(session, lecture, user.id)
        await end_guest_sessions(session, lecture_id)
        await session.commit()
    # Delivering lecture:ended hands the recording to the library: the answer names its video.
    await broadcaster.deliver(lecture_id, Outcome(end_room=True).emit("lecture:ended", {}))
    async with db.session() as session:
        lecture = await require_lecture(session, user, lecture_id, manage=True)
        return (await lectures_out(session, user, [lecture]))[0]


@router.route(
    "POST", "/lectures/{lecture_id}/join", tag="lectures", response=JoinOut, errors=(409,)
)
async def post_join(request: web.Request, db: Database, tokens: TokenIssuer) -> JoinOut:
    """A short-lived token to enter the live room, bound to you, the lecture and your role.

    Students of a lecture that requires admission, and guests, get one too: with it they wait
    in the lecture's lobby until an educator admits them."""
    lecture_id = path_id(request, "lecture_id", "lecture")
    user = await require_user(request, guest_lecture=lecture_id)
    async with db.session() as session:
        lecture = await require_lecture(session, user, lecture_id)
        try:
            role = await join_role(session, lecture, user)
        except JoinRefused as exc:
            status = 403 if exc.code in ("forbidden", "removed") else 409
            raise Problem(status, exc.code, "Cannot join", str(exc)) from exc
    issued = tokens.issue("join", user.id, JOIN_TOKEN_LIFETIME, lecture=lecture_id, role=role.value)
    return JoinOut(
        token=issued.token,
        room_url=f"/lectures/{lecture_id}",
        role=role.value,
        expires_in=int(JOIN_TOKEN_LIFETIME.total_seconds()),
    )


class LiveLectureOut(LectureOut):
    course_code: str
    course_title: str


class LiveLectures(BaseModel):
    items: list[LiveLectureOut]


@router.route("GET", "/me/live-lectures", tag="lectures", response=LiveLectures)
async def get_live_lectures(request: web.Request, db: Database) -> LiveLectures:
    """The lectures live now in your courses (at most 50), the latest started first."""
    user = await require_user(request)
    async with db.session() as session:
        live = await live_for(session, user)
    return LiveLectures(
        items=[
            LiveLectureOut(
                **LectureOut.of(lecture).model_dump(),
                course_code=course.code,
                course_title=course.title,
            )
            for lecture, course in live
        ]
    )
