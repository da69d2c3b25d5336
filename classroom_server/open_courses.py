"""Open courses: published modules the university opens to everyone, without login."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import Course, Module, Quiz, Resource, Unit
from classroom_server.db.paging import paginate_rows
from classroom_server.module_progress import quizzes_of, readings_of, units_of


@dataclass(frozen=True)
class OpenCourse:
    """An open course with what an open educational resource shows: its units, the readings
    they point to (by resource id) and each quiz unit's quiz (by unit id)."""

    module: Module
    course: Course
    units: list[Unit]
    readings: dict[int, Resource]
    quizzes: dict[int, Quiz]


async def open_courses(
    session: AsyncSession, limit: int, offset: int
) -> tuple[list[tuple[Module, Course]], int]:
    """A page of the modules published as open courses, with their courses, by course code."""
    query = (
        select(Module, Course)
        .join(Course, Course.id == Module.course_id)
        .where(Module.published.is_(True), Module.open_course.is_(True))
    )
    rows, total = await paginate_rows(
        session, query.order_by(Course.code, Module.position, Module.id), limit, offset
    )
    return [(module, course) for module, course in rows], total


async def open_course(session: AsyncSession, module_id: int) -> OpenCourse | None:
    """The module if it is published as an open course, else None."""
    module = await session.get(Module, module_id)
    if module is None or not (module.published and module.open_course):
        return None
    course = await session.get(Course, module.course_id)
    assert course is not None
    units = await units_of(session, module_id)
    return OpenCourse(
        module, course, units, await readings_of(session, units), await quizzes_of(session, units)
    )
