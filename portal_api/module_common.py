"""What the module, quiz and progress routes share: loading with access checks, and unit output.

Every module route goes through ``load_module``, ``load_unit`` or ``load_quiz``, so who may see
or change a module is decided here (on top of ``classroom_server.policy``) and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from aiohttp import web
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import Module, Quiz, Unit, User
from classroom_server.module_progress import (
    Access,
    UnitState,
    module_access,
    quizzes_of,
    readings_of,
    unit_state,
)
from classroom_server.policy import can_view_course
from classroom_server.quiz_attempts import quiz_with_unit
from classroom_server.web_problems import Problem, forbidden, not_found
from portal_api.router import path_id

UnitKind = Literal["video", "reading", "quiz"]


@dataclass(frozen=True)
class Loaded:
    user: User
    module: Module
    access: Access


async def load_module(
    session: AsyncSession, user: User, module_id: int, manage: bool = False
) -> Loaded:
    """403 for outsiders and for learners asking to manage; an unpublished module is 404 to
    learners, so drafts stay invisible."""
    module = await session.get(Module, module_id)
    if module is None:
        raise not_found(f"module {module_id}")
    access = await module_access(session, user, module)
    if access is None:
        if await can_view_course(session, user, module.course_id):
            raise not_found(f"module {module_id}")
        raise forbidden("You are not a member of this module's course")
    if manage and access != "manage":
        raise forbidden("Only the course's educators change its modules")
    return Loaded(user, module, access)


async def load_unit(
    session: AsyncSession, user: User, request: web.Request, manage: bool = False
) -> tuple[Loaded, Unit]:
    unit_id = path_id(request, "unit_id", "unit")
    unit = await session.get(Unit, unit_id)
    if unit is None:
        raise not_found(f"unit {unit_id}")
    return await load_module(session, user, unit.module_id, manage), unit


async def load_quiz(
    session: AsyncSession, user: User, request: web.Request, manage: bool = False
) -> tuple[Loaded, Unit, Quiz]:
    """The quiz with its unit; a learner reaching a locked unit is refused with ``locked``."""
    quiz_id = path_id(request, "quiz_id", "quiz")
    found = await quiz_with_unit(session, quiz_id)
    if found is None:
        raise not_found(f"quiz {quiz_id}")
    quiz, unit = found
    loaded = await load_module(session, user, unit.module_id, manage)
    if loaded.access == "learn":
        if (await unit_state(session, loaded.module, unit, user.id, loaded.access)).locked:
            raise locked_problem(unit)
    return loaded, unit, quiz


def locked_problem(unit: Unit) -> Problem:
    return Problem(
        409,
        "locked",
        "Unit locked",
        f"unit {unit.id} opens once the units before it in this sequential module are completed",
        unit_id=unit.id,
    )


class ReadingOut(BaseModel):
    title: str
    url: str | None
    kind: str
    creator: str
    date: str
    identifier: str
    licence: str
    language: str


class UnitOut(BaseModel):
    """A unit in a module; for a locked unit its target (video, reading, quiz) is withheld."""

    id: int
    module_id: int
    position: int
    kind: UnitKind
    title: str
    locked: bool
    state: Literal["not_started", "in_progress", "completed"]
    attempts: int
    best_score: float | None
    last_score: float | None
    video_id: int | None
    quiz_id: int | None
    reading: ReadingOut | None


async def unit_outputs(session: AsyncSession, states: list[UnitState]) -> list[UnitOut]:
    units = [s.unit for s in states]
    readings = await readings_of(session, units)
    quiz_ids = {unit_id: quiz.id for unit_id, quiz in (await quizzes_of(session, units)).items()}
    out: list[UnitOut] = []
    for s in states:
        u = s.unit
        resource = readings.get(u.resource_id or 0)
        shown = not s.locked
        out.append(
            UnitOut(
                id=u.id,
                module_id=u.module_id,
                position=u.position,
                kind=u.kind,
                title=u.title,
                locked=s.locked,
                state=s.state,
                attempts=s.attempts,
                best_score=s.best_score,
                last_score=s.last_score,
                video_id=u.video_id if shown else None,
                quiz_id=quiz_ids.get(u.id) if shown else None,
                reading=ReadingOut.model_validate(resource, from_attributes=True)
                if shown and resource
                else None,
            )
        )
    return out
