"""Progress through a module in the database: who may use it, unit states, locks, class figures.

The rules themselves (scoring, mastery, locking, struggle) are in ``classroom_server.mastery``;
this module feeds them rows. A video unit counts as completed from the player's saved watch
position, so watching in the library or in the module player is the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import (
    CourseRole,
    Enrolment,
    Module,
    Quiz,
    QuizAttempt,
    Resource,
    Unit,
    UnitProgress,
    User,
    Video,
    WatchPosition,
    add_unique,
)
from classroom_server.db.paging import paginate
from classroom_server.mastery import locks, mastered, struggling, video_watched
from classroom_server.policy import can_manage_course, can_view_course

MAX_UNITS = 100
Access = Literal["manage", "learn"]


async def module_access(session: AsyncSession, user: User, module: Module) -> Access | None:
    """Educators of the course (and admins) manage; its members learn once it is published."""
    if await can_manage_course(session, user, module.course_id):
        return "manage"
    if module.published and await can_view_course(session, user, module.course_id):
        return "learn"
    return None


async def course_modules(
    session: AsyncSession, user: User, course_id: int, limit: int, offset: int
) -> tuple[list[Module], int]:
    """A page of a course's modules in order (only the published ones for its students)."""
    query = select(Module).where(Module.course_id == course_id)
    if not await can_manage_course(session, user, course_id):
        query = query.where(Module.published.is_(True))
    return await paginate(session, query.order_by(Module.position, Module.id), limit, offset)


async def units_of(session: AsyncSession, module_id: int) -> list[Unit]:
    rows = await session.scalars(
        select(Unit).where(Unit.module_id == module_id).order_by(Unit.position, Unit.id)
    )
    return list(rows)


async def quizzes_of(session: AsyncSession, units: list[Unit]) -> dict[int, Quiz]:
    ids = [u.id for u in units if u.kind == "quiz"]
    if not ids:
        return {}
    return {q.unit_id: q for q in await session.scalars(select(Quiz).where(Quiz.unit_id.in_(ids)))}


async def readings_of(session: AsyncSession, units: list[Unit]) -> dict[int, Resource]:
    """The course resources the reading units point to, by resource id."""
    ids = [u.resource_id for u in units if u.resource_id]
    if not ids:
        return {}
    return {r.id: r for r in await session.scalars(select(Resource).where(Resource.id.in_(ids)))}


@dataclass(frozen=True)
class UnitState:
    unit: Unit
    locked: bool
    state: Literal["not_started", "in_progress", "completed"]
    attempts: int
    best_score: float | None
    last_score: float | None


async def _watched(
    session: AsyncSession, units: list[Unit], user_ids: list[int]
) -> set[tuple[int, int]]:
    """(unit id, user id) pairs whose saved position covers the unit's video."""
    video_units = {u.video_id: u.id for u in units if u.kind == "video" and u.video_id}
    if not video_units or not user_ids:
        return set()
    rows = await session.execute(
        select(
            WatchPosition.video_id,
            WatchPosition.user_id,
            WatchPosition.seconds,
            Video.duration_seconds,
        )
        .join(Video, Video.id == WatchPosition.video_id)
        .where(WatchPosition.video_id.in_(video_units), WatchPosition.user_id.in_(user_ids))
    )
    return {
        (video_units[video_id], user_id)
        for video_id, user_id, seconds, duration in rows.tuples()
        if video_watched(seconds, duration)
    }


async def find_progress(session: AsyncSession, unit_id: int, user_id: int) -> UnitProgress | None:
    """The user's row for a unit, if they have touched it."""
    query = select(UnitProgress).where(
        UnitProgress.unit_id == unit_id, UnitProgress.user_id == user_id
    )
    row: UnitProgress | None = await session.scalar(query)
    return row


async def progress_row(session: AsyncSession, unit_id: int, user_id: int) -> UnitProgress:
    """The student's row for a unit, created on first touch (a racing creator wins cleanly)."""
    row = await find_progress(session, unit_id, user_id)
    if row is None:
        row = UnitProgress(unit_id=unit_id, user_id=user_id, state="in_progress", attempts=0)
        if not await add_unique(session, row):
            row = await find_progress(session, unit_id, user_id)
            assert row is not None
    return row


async def complete_watched_units(
    session: AsyncSession, video_id: int, user_id: int, seconds: float
) -> None:
    """Completes the units showing this video as the player saves a position near its end, so
    replaying from the start before the module is next opened cannot lose the completion."""
    duration = await session.scalar(select(Video.duration_seconds).where(Video.id == video_id))
    if not video_watched(seconds, duration):
        return
    unit_ids = await session.scalars(
        select(Unit.id).where(Unit.kind == "video", Unit.video_id == video_id)
    )
    for unit_id in list(unit_ids):
        complete(await progress_row(session, unit_id, user_id))
    await session.commit()


def complete(row: UnitProgress) -> None:
    if row.state != "completed":
        row.state, row.completed_at = "completed", datetime.now(UTC)
    row.updated_at = datetime.now(UTC)


async def unit_states(
    session: AsyncSession, module: Module, units: list[Unit], user_id: int, access: Access
) -> list[UnitState]:
    """The student's state per unit; a freshly watched video is recorded as completed here."""
    rows = {
        p.unit_id: p
        for p in await session.scalars(
            select(UnitProgress).where(
                UnitProgress.user_id == user_id, UnitProgress.unit_id.in_([u.id for u in units])
            )
        )
    }
    for unit_id, _ in await _watched(session, units, [user_id]):
        row = rows.get(unit_id)
        if row is None or row.state != "completed":
            rows[unit_id] = row = await progress_row(session, unit_id, user_id)
            complete(row)
    await session.commit()
    return states_from(module, units, rows, access)


def fresh_states(module: Module, units: list[Unit]) -> list[UnitState]:
    """The units as a student who has not started the module sees them (the educators'
    preview), with the same locks a real learner gets; reads and records nothing."""
    return states_from(module, units, {}, "learn")


def states_from(
    module: Module, units: list[Unit], rows: dict[int, UnitProgress], access: Access
) -> list[UnitState]:
    """Each unit's state from the student's progress rows by unit id, locked as
    ``mastery.locks`` decides for a learner in a sequential module."""
    done = [u.id in rows and rows[u.id].state == "completed" for u in units]
    locked = locks(done, module.sequential and access == "learn")
    states: list[UnitState] = []
    for unit, is_locked in zip(units, locked, strict=True):
        row = rows.get(unit.id)
        state = row.state if row else "not_started"
        states.append(
            UnitState(
                unit,
                is_locked,
                state,  # type: ignore[arg-type]
                row.attempts if row else 0,
                row.best_score if row else None,
                row.last_score if row else None,
            )
        )
    return states


async def unit_state(
    session: AsyncSession, module: Module, unit: Unit, user_id: int, access: Access
) -> UnitState:
    """One unit's state for the student; whether it is locked depends on the units before it."""
    units = await units_of(session, unit.module_id)
    states = await unit_states(session, module, units, user_id, access)
    return next(s for s in states if s.unit.id == unit.id)


async def open_unit(
    session: AsyncSession, module: Module, unit: Unit, user_id: int, access: Access
) -> UnitState | None:
    """Records that the student opened ``unit`` (a reading is then completed) and answers its
    new state; None, recording nothing, while the unit is locked."""
    if (await unit_state(session, module, unit, user_id, access)).locked:
        return None
    row = await progress_row(session, unit.id, user_id)
    if unit.kind == "reading":
        complete(row)
    await session.commit()
    return await unit_state(session, module, unit, user_id, access)


@dataclass(frozen=True)
class UnitFigures:
    unit: Unit
    completed: int
    attempts: int
    attempted: int
    mean_best_score: float | None
    first_attempt_mastery: float | None
    struggling: bool


@dataclass(frozen=True)
class ClassFigures:
    students: int
    module_completed: int
    units: list[UnitFigures]


async def class_figures(session: AsyncSession, module: Module, units: list[Unit]) -> ClassFigures:
    """Per unit: how many students completed it, quiz attempts, mean best score, and the share
    who mastered it at their first attempt (low values mark where students struggle)."""
    students = list(
        await session.scalars(
            select(Enrolment.user_id).where(
                Enrolment.course_id == module.course_id,
                Enrolment.role == CourseRole.STUDENT.value,
            )
        )
    )
    unit_ids = [u.id for u in units]
    rows = list(
        await session.scalars(
            select(UnitProgress).where(
                UnitProgress.unit_id.in_(unit_ids), UnitProgress.user_id.in_(students)
            )
        )
    )
    done = {(p.unit_id, p.user_id) for p in rows if p.state == "completed"}
    done |= await _watched(session, units, students)
    quizzes = await quizzes_of(session, units)
    figures: list[UnitFigures] = []
    for unit in units:
        tried = [p for p in rows if p.unit_id == unit.id and p.attempts > 0]
        attempts = sum(p.attempts for p in tried)
        best = [p.best_score for p in tried if p.best_score is not None]
        mean = round(sum(best) / len(best), 4) if best else None
        first = (
            round(
                sum(mastered(p.first_score, module.mastery_threshold) for p in tried) / len(tried),
                4,
            )
            if tried and unit.id in quizzes
            else None
        )
        figures.append(
            UnitFigures(
                unit,
                completed=sum((unit.id, s) in done for s in students),
                attempts=attempts,
                attempted=len(tried),
                mean_best_score=mean,
                first_attempt_mastery=first,
                struggling=struggling(first, mean, module.mastery_threshold),
            )
        )
    finished = sum(all((u, s) in done for u in unit_ids) for s in students) if units else 0
    return ClassFigures(students=len(students), module_completed=finished, units=figures)


async def next_attempt_number(session: AsyncSession, quiz_id: int, user_id: int) -> int:
    last = await session.scalar(
        select(QuizAttempt.number)
        .where(QuizAttempt.quiz_id == quiz_id, QuizAttempt.user_id == user_id)
        .order_by(QuizAttempt.number.desc())
        .limit(1)
    )
    return (last or 0) + 1
