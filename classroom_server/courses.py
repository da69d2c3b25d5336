"""Courses and enrolments as the dashboard and later the portal see them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Subquery

from classroom_server.db import (
    Course,
    CourseRole,
    Enrolment,
    Resource,
    Role,
    User,
    Video,
    add_unique,
)
from classroom_server.db.paging import paginate_rows
from classroom_server.policy import course_role
from classroom_server.users import find_user


class Conflict(Exception):
    pass


@dataclass(frozen=True)
class CourseView:
    course: Course
    my_role: CourseRole | None
    student_count: int


def _student_counts() -> Subquery:
    return (
        select(Enrolment.course_id, func.count().label("students"))
        .where(Enrolment.role == CourseRole.STUDENT.value)
        .group_by(Enrolment.course_id)
        .subquery()
    )


async def list_courses(
    session: AsyncSession, user: User, limit: int, offset: int
) -> tuple[list[CourseView], int]:
    """A user's own courses; an admin sees every course."""
    counts = _student_counts()
    mine = (
        select(Enrolment.course_id, Enrolment.role).where(Enrolment.user_id == user.id).subquery()
    )
    join_mine = Course.__table__.outerjoin if user.role == Role.ADMIN else Course.__table__.join
    base = (
        select(Course, mine.c.role, func.coalesce(counts.c.students, 0))
        .select_from(join_mine(mine, mine.c.course_id == Course.id))
        .outerjoin(counts, counts.c.course_id == Course.id)
    )
    rows, total = await paginate_rows(
        session, base.order_by(Course.title, Course.id), limit, offset
    )
    views = [
        CourseView(course, CourseRole(role) if role else None, students)
        for course, role, students in rows
    ]
    return views, total


async def get_course_view(session: AsyncSession, user: User, course_id: int) -> CourseView | None:
    course = await session.get(Course, course_id)
    if course is None:
        return None
    role = await course_role(session, user, course_id)
    students = await session.scalar(
        select(func.count()).where(
            Enrolment.course_id == course_id, Enrolment.role == CourseRole.STUDENT.value
        )
    )
    return CourseView(course, role, students or 0)


async def create_course(
    session: AsyncSession, owner: User, code: str, title: str, **fields: str
) -> Course:
    """The creator becomes the course's first educator (an admin creating one does not)."""
    course = Course(code=code.strip(), title=title.strip(), **fields)
    if not await add_unique(session, course):
        raise Conflict(f"a course with code {code!r} exists")
    if owner.role == Role.EDUCATOR:
        session.add(Enrolment(course_id=course.id, user_id=owner.id, role=CourseRole.EDUCATOR))
        await session.flush()
    return course


async def enrol(session: AsyncSession, course_id: int, user: User, role: CourseRole) -> Enrolment:
    if role == CourseRole.EDUCATOR and user.role == Role.STUDENT:
        raise Conflict("a student account cannot teach a course")
    enrolment = Enrolment(course_id=course_id, user_id=user.id, role=role.value)
    if not await add_unique(session, enrolment):
        raise Conflict(f"{user.username} is already enrolled")
    return enrolment


async def enrol_username(
    session: AsyncSession, course_id: int, username: str, role: CourseRole
) -> User | None:
    """Enrols the account named ``username`` (None if there is none); Conflict if it is
    enrolled already or is a student account asked to teach."""
    member = await find_user(session, username)
    if member is not None:
        await enrol(session, course_id, member, role)
    return member


def update_course(course: Course, changes: dict[str, Any]) -> None:
    """Applies an educator's edits (title, description, language, term)."""
    for name, value in changes.items():
        setattr(course, name, value)


async def in_course(
    session: AsyncSession, kind: type[Video] | type[Resource], row_id: int, course_id: int
) -> bool:
    """Whether the video or resource ``row_id`` exists and belongs to the course: what a course
    links to (a resource, a module's unit) is the course's own."""
    row: Video | Resource | None = await session.get(kind, row_id)
    return row is not None and row.course_id == course_id
