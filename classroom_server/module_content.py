"""What educators build: a course's modules and their units (videos, readings, quizzes).

A unit points only to the course's own library videos and resources, and a module holds at
most ``MAX_UNITS`` units; an open course needs a licence.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.courses import in_course
from classroom_server.db import Module, Quiz, Resource, Unit, Video
from classroom_server.module_progress import MAX_UNITS


class TooManyUnits(Exception):
    """A module holds at most ``MAX_UNITS`` units: a page of a student's path stays readable."""


class NotInCourse(Exception):
    """A unit named a video or resource that is not the course's (or does not exist)."""


class Unlicensed(Exception):
    """An open course without a licence: no one could know what they may do with it."""


async def new_module(session: AsyncSession, course_id: int, fields: dict[str, Any]) -> Module:
    module = Module(course_id=course_id, **fields)
    session.add(module)
    await session.flush()
    return module


def edit_module(module: Module, changes: dict[str, Any]) -> None:
    """Applies an educator's edits; Unlicensed if the module would be open without a licence."""
    for name, value in changes.items():
        setattr(module, name, value)
    if module.open_course and not module.licence.strip():
        raise Unlicensed("an open course needs a licence")


async def new_unit(
    session: AsyncSession,
    module: Module,
    fields: dict[str, Any],
    quiz: dict[str, Any] | None = None,
) -> Unit:
    """A new unit (kind, title, position, video_id or resource_id) and the quiz of a quiz
    unit; TooManyUnits past the limit, NotInCourse for another course's video or resource."""
    count = await session.scalar(select(func.count()).where(Unit.module_id == module.id))
    if (count or 0) >= MAX_UNITS:
        raise TooManyUnits(f"at most {MAX_UNITS} units")
    video_id, resource_id = fields.get("video_id"), fields.get("resource_id")
    if video_id is not None and not await in_course(session, Video, video_id, module.course_id):
        raise NotInCourse(f"video {video_id} in this course")
    if resource_id is not None and not await in_course(
        session, Resource, resource_id, module.course_id
    ):
        raise NotInCourse(f"resource {resource_id} in this course")
    unit = Unit(module_id=module.id, **fields)
    session.add(unit)
    await session.flush()
    if quiz is not None:
        session.add(Quiz(unit_id=unit.id, **quiz))
    return unit


def edit_unit(unit: Unit, changes: dict[str, Any]) -> None:
    """Renames or moves a unit."""
    for name, value in changes.items():
        setattr(unit, name, value)
