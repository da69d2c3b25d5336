"""Progress through modules: readings opened, your own progress, the class view for educators."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel

from classroom_server.db import Database
from classroom_server.module_progress import class_figures, open_unit, unit_states
from classroom_server.module_progress import units_of as module_units
from classroom_server.web_auth import require_user
from classroom_server.web_problems import forbidden
from portal_api.module_common import UnitOut, load_module, load_unit, locked_problem, unit_outputs
from portal_api.router import ApiRouter, path_id

router = ApiRouter()


class ModuleProgress(BaseModel):
    module_id: int
    total_units: int
    completed_units: int
    complete: bool
    units: list[UnitOut]


class UnitClassFigures(BaseModel):
    unit_id: int
    title: str
    kind: str
    completed: int
    completion_rate: float
    attempts: int
    students_attempted: int
    mean_best_score: float | None
    first_attempt_mastery: float | None
    struggling: bool


class ClassProgress(BaseModel):
    module_id: int
    students: int
    module_completed: int
    mastery_threshold: float
    units: list[UnitClassFigures]


@router.route("POST", "/units/{unit_id}/opened", tag="progress", response=UnitOut, errors=(409,))
async def unit_opened(request: web.Request, db: Database) -> UnitOut:
    """Record that you opened a unit; opening a reading completes it."""
    user = await require_user(request)
    async with db.session() as session:
        loaded, unit = await load_unit(session, user, request)
        state = await open_unit(session, loaded.module, unit, user.id, loaded.access)
        if state is None:
            raise locked_problem(unit)
        return (await unit_outputs(session, [state]))[0]


@router.route("GET", "/modules/{module_id}/progress", tag="progress", response=ModuleProgress)
async def my_progress(request: web.Request, db: Database) -> ModuleProgress:
    """Your own progress through a module, unit by unit."""
    user = await require_user(request)
    module_id = path_id(request, "module_id", "module")
    async with db.session() as session:
        loaded = await load_module(session, user, module_id)
        units = await module_units(session, module_id)
        states = await unit_states(session, loaded.module, units, user.id, loaded.access)
        done = sum(s.state == "completed" for s in states)
        return ModuleProgress(
            module_id=module_id,
            total_units=len(units),
            completed_units=done,
            complete=bool(units) and done == len(units),
            units=await unit_outputs(session, states),
        )


@router.route("GET", "/modules/{module_id}/class-progress", tag="progress", response=ClassProgress)
async def class_progress(request: web.Request, db: Database) -> ClassProgress:
    """The class per unit: completion, quiz attempts, mean best score, where students struggle."""
    user = await require_user(request)
    module_id = path_id(request, "module_id", "module")
    async with db.session() as session:
        loaded = await load_module(session, user, module_id)
        if loaded.access != "manage":
            raise forbidden("Only the course's educators see the class's progress")
        units = await module_units(session, module_id)
        figures = await class_figures(session, loaded.module, units)
    students = figures.students
    return ClassProgress(
        module_id=module_id,
        students=students,
        module_completed=figures.module_completed,
        mastery_threshold=loaded.module.mastery_threshold,
        units=[
            UnitClassFigures(
                unit_id=f.unit.id,
                title=f.unit.title,
                kind=f.unit.kind,
                completed=f.completed,
                completion_rate=round(f.completed / students, 4) if students else 0.0,
                attempts=f.attempts,
                students_attempted=f.attempted,
                mean_best_score=f.mean_best_score,
                first_attempt_mastery=f.first_attempt_mastery,
                struggling=f.struggling,
            )
            for f in figures.units
        ],
    )
