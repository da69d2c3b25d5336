"""Who may do what to a course: the one place course-level rules are written."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import CourseRole, Enrolment, Lecture, Role, User


async def course_role(session: AsyncSession, user: User, course_id: int) -> CourseRole | None:
    role = await session.scalar(
        select(Enrolment.role).where(Enrolment.course_id == course_id, Enrolment.user_id == user.id)
    )
    return CourseRole(role) if role else None


async def can_view_course(session: AsyncSession, user: User, course_id: int) -> bool:
    return user.role == Role.ADMIN or await course_role(session, user, course_id) is not None


async def can_manage_course(session: AsyncSession, user: User, course_id: int) -> bool:
    if user.role == Role.ADMIN:
        return True
    return await course_role(session, user, course_id) == CourseRole.EDUCATOR


async def lecture_course_role(
    session: AsyncSession, lecture_id: int, user_id: int
) -> CourseRole | None:
    """The user's role in the course the lecture belongs to (a guest of this lecture is one of
    its students)."""
    role = await session.scalar(
        select(Enrolment.role)
        .join(Lecture, Lecture.course_id == Enrolment.course_id)
        .where(Lecture.id == lecture_id, Enrolment.user_id == user_id)
    )
    if role:
        return CourseRole(role)
    guest = await session.scalar(
        select(User.id).where(User.id == user_id, User.guest_lecture_id == lecture_id)
    )
    return CourseRole.STUDENT if guest is not None else None


async def lecture_roles(
    session: AsyncSession, lecture_id: int, user_ids: list[int]
) -> dict[int, str]:
    """Course roles of many participants in one query (admins have none: they count as staff)."""
    rows = await session.execute(
        select(Enrolment.user_id, Enrolment.role)
        .join(Lecture, Lecture.course_id == Enrolment.course_id)
        .where(Lecture.id == lecture_id, Enrolment.user_id.in_(user_ids))
    )
    return dict(rows.tuples().all())
