"""Lecture lifecycle (scheduled → live → ended) and who may join."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import (
    BreakoutGroup,
    BreakoutMember,
    CourseRole,
    Lecture,
    LectureStatus,
    Removal,
    RoomSettings,
    User,
)
from classroom_server.db.breakout_models import not_a_group_room
from classroom_server.db.paging import paginate
from classroom_server.office_hours import meeting_open
from classroom_server.policy import can_manage_course, course_role
from classroom_server.room.audit import record
from classroom_server.room.broadcast import RoomBroadcaster
from classroom_server.room.lobby import is_admitted
from classroom_server.room.outcome import Outcome, users
from classroom_server.room.slides import create_whiteboard


class JoinRefused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


async def create_lecture(
    session: AsyncSession,
    course_id: int,
    title: str,
    scheduled_start: datetime,
    duration: int,
    requires_admission: bool = False,
) -> Lecture:
    lecture = Lecture(
        course_id=course_id,
        title=title,
        scheduled_start=scheduled_start.astimezone(UTC),
        duration_minutes=duration,
        requires_admission=requires_admission,
    )
    session.add(lecture)
    await session.flush()
    await create_whiteboard(session, lecture.id)
    return lecture


async def list_lectures(
    session: AsyncSession, course_id: int, limit: int, offset: int
) -> tuple[list[Lecture], int]:
    query = select(Lecture).where(
        Lecture.course_id == course_id,
        Lecture.private_to.is_(None),
        not_a_group_room(),
    )
    return await paginate(
        session, query.order_by(Lecture.scheduled_start, Lecture.id), limit, offset
    )


async def may_see_meeting(session: AsyncSession, user: User, lecture: Lecture) -> bool:
    """A private meeting (an office hour) is its student's and the course educators' only."""
    if lecture.private_to is None or lecture.private_to == user.id:
        return True
    return await can_manage_course(session, user, lecture.course_id)


def start(lecture: Lecture) -> None:
    if lecture.status == LectureStatus.ENDED:
        raise JoinRefused("lecture_ended", "the lecture has ended")
    if lecture.status == LectureStatus.SCHEDULED:
        lecture.status = LectureStatus.LIVE.value
        lecture.started_at = datetime.now(UTC)


def end(lecture: Lecture) -> None:
    if lecture.status != LectureStatus.ENDED:
        lecture.status = LectureStatus.ENDED.value
        lecture.ended_at = datetime.now(UTC)


def end_by_api(session: AsyncSession, lecture: Lecture, user_id: int) -> None:
    """Ends the lecture from outside the room (the REST API), recorded in its audit log."""
    end(lecture)
    record(session, lecture.id, user_id, "end", details={"via": "api"})


async def join_role(session: AsyncSession, lecture: Lecture, user: User) -> CourseRole:
    """The role a user enters the room with, or why they may not enter now.

    Admins enter as educators; educators may enter a scheduled lecture to prepare it. A
    disabled account is refused even with a join token issued before it was disabled.
    """
    if user.disabled:
        raise JoinRefused("account_disabled", "this account is disabled")
    role = await _member_role(session, lecture, user)
    if role is None:
        raise JoinRefused("forbidden", "you are not a member of this course")
    removed = await session.scalar(
        select(Removal.id).where(Removal.lecture_id == lecture.id, Removal.user_id == user.id)
    )
    if removed is not None:
        raise JoinRefused("removed", "you were removed from this lecture")
    if lecture.status == LectureStatus.ENDED:
        raise JoinRefused("lecture_ended", "the lecture has ended")
    if lecture.private_to is not None:
        return _meeting_role(lecture, user, role)
    if lecture.status == LectureStatus.SCHEDULED and role == CourseRole.STUDENT:
        raise JoinRefused("not_started", "the lecture has not started yet")
    if role == CourseRole.STUDENT and await _locked_out(session, lecture.id, user.id):
        raise JoinRefused("room_locked", "the educator has locked this lecture to newcomers")
    if role == CourseRole.STUDENT and await _outside_group(session, lecture.id, user.id):
        raise JoinRefused("forbidden", "this breakout room belongs to another group")
    return role


async def _member_role(session: AsyncSession, lecture: Lecture, user: User) -> CourseRole | None:
    """A guest is a student of their one lecture (never an educator), and of no other."""
    if user.guest_lecture_id is not None:
        return CourseRole.STUDENT if user.guest_lecture_id == lecture.id else None
    role = await course_role(session, user, lecture.course_id)
    if role is None and user.role == "admin":
        role = CourseRole.EDUCATOR
    return role


async def _outside_group(session: AsyncSession, lecture_id: int, user_id: int) -> bool:
    """The lecture is a breakout group's room and this student is not in the group."""
    if await session.get(BreakoutGroup, lecture_id) is None:
        return False
    member = await session.scalar(
        select(BreakoutMember.user_id).where(
            BreakoutMember.lecture_id == lecture_id, BreakoutMember.user_id == user_id
        )
    )
    return member is None


async def _locked_out(session: AsyncSession, lecture_id: int, user_id: int) -> bool:
    """The room is locked and this student was not in it when it was (the database is the
    truth every process shares; the room store only caches it)."""
    locked = await session.scalar(
        select(RoomSettings.room_locked).where(RoomSettings.lecture_id == lecture_id)
    )
    return bool(locked) and not await is_admitted(session, lecture_id, user_id)


def _meeting_role(lecture: Lecture, user: User, role: CourseRole) -> CourseRole:
    """A booked office hour: the student who booked it and the course's educators, on time."""
    if role == CourseRole.STUDENT and user.id != lecture.private_to:
        raise JoinRefused("forbidden", "this office hour belongs to another student")
    now = datetime.now(UTC)
    if not meeting_open(lecture, now):
        code = "not_started" if now < lecture.scheduled_start else "lecture_ended"
        raise JoinRefused(code, "the meeting room opens 10 minutes before the slot")
    return role


async def leave_live_lectures(
    session: AsyncSession, broadcaster: RoomBroadcaster, user_id: int
) -> None:
    """Cut a user's live room connections on every node (their account was disabled, or its
    password reset by an admin): a room connection outlives the session that opened it."""
    live = await session.scalars(
        select(Lecture.id).where(Lecture.status == LectureStatus.LIVE.value)
    )
    for lecture_id in live:
        outcome = Outcome(disconnect_users=[user_id])
        await broadcaster.deliver(lecture_id, outcome.emit("room:removed", {}, users(user_id)))
