"""The API's gates: 404 if there is no such course or lecture, 403 if the user may not use it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import Course, Lecture, User
from classroom_server.lectures import may_see_meeting
from classroom_server.policy import can_manage_course, can_view_course
from classroom_server.web_problems import forbidden, not_found

NOT_ENROLLED = "You are not enrolled in this course"
NOT_EDUCATOR = "Only the course's educators may do this"


async def require_course(
    session: AsyncSession,
    user: User,
    course_id: int,
    *,
    manage: bool = False,
    denied: str | None = None,
) -> Course:
    """The course if ``user`` may view it (or manage it, with ``manage``).

    ``denied`` is the 403's message; by default it says what was missing (enrolment or teaching).
    """
    course = await session.get(Course, course_id)
    if course is None:
        raise not_found(f"course {course_id}")
    allowed = await (can_manage_course if manage else can_view_course)(session, user, course_id)
    if not allowed:
        raise forbidden(denied or (NOT_EDUCATOR if manage else NOT_ENROLLED))
    return course


async def require_lecture(
    session: AsyncSession,
    user: User,
    lecture_id: int,
    *,
    manage: bool = False,
    denied: str | None = None,
) -> Lecture:
    """The lecture if ``user`` may see it (or run it, with ``manage``): its course's gate, and a
    private meeting (an office hour) only for its student and the course's educators."""
    lecture = await session.get(Lecture, lecture_id)
    if lecture is None:
        raise not_found(f"lecture {lecture_id}")
    if user.guest_lecture_id is not None and not manage:  # a guest sees their lecture only
        if user.guest_lecture_id != lecture_id:
            raise forbidden("A guest may only enter the lecture they were invited to")
        return lecture
    await require_course(session, user, lecture.course_id, manage=manage, denied=denied)
    if not await may_see_meeting(session, user, lecture):
        raise forbidden("This office hour belongs to another student")
    return lecture
