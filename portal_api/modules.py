"""Self-paced modules and their units: educators build them, course members work through them."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, model_validator

from classroom_server.db import Database, Module
from classroom_server.module_content import (
    NotInCourse,
    TooManyUnits,
    Unlicensed,
    edit_module,
    edit_unit,
    new_module,
    new_unit,
)
from classroom_server.module_progress import MAX_UNITS, course_modules, unit_states, units_of
from classroom_server.web_auth import require_user
from classroom_server.web_problems import Problem, not_found
from portal_api.access import require_course
from portal_api.module_common import UnitKind, UnitOut, load_module, load_unit, unit_outputs
from portal_api.quizzes import QuizIn
from portal_api.router import ApiRouter, path_id
from portal_api.schemas import DbId, ListPage, Page

router = ApiRouter()


class ModuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=10_000)
    position: int = Field(0, ge=0, le=10_000)
    sequential: bool = True
    mastery_threshold: float = Field(0.8, gt=0, le=1, allow_inf_nan=False)
    published: bool = False
    open_course: bool = False
    licence: str = Field("", max_length=100, examples=["CC BY-SA 4.0"])

    @model_validator(mode="after")
    def _licensed(self) -> ModuleIn:
        if self.open_course and not self.licence.strip():
            raise ValueError("an open course needs a licence")
        return self


class ModuleUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=10_000)
    position: int | None = Field(None, ge=0, le=10_000)
    sequential: bool | None = None
    mastery_threshold: float | None = Field(None, gt=0, le=1, allow_inf_nan=False)
    published: bool | None = None
    open_course: bool | None = None
    licence: str | None = Field(None, max_length=100)


class ModuleOut(BaseModel):
    id: int
    course_id: int
    title: str
    description: str
    position: int
    sequential: bool
    mastery_threshold: float
    published: bool
    open_course: bool
    licence: str


class ModuleList(ListPage[ModuleOut]):
    pass


class ModuleDetail(ModuleOut):
    can_manage: bool
    units: list[UnitOut] = Field(description=f"every unit, in order (at most {MAX_UNITS})")


class UnitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: UnitKind
    title: str = Field(min_length=1, max_length=200)
    position: int = Field(0, ge=0, le=10_000)
    video_id: DbId | None = None
    resource_id: DbId | None = None
    quiz: QuizIn | None = None

    @model_validator(mode="after")
    def _one_target(self) -> UnitIn:
        given = {
            "video": self.video_id is not None,
            "reading": self.resource_id is not None,
            "quiz": self.quiz is not None,
        }
        if not given[self.kind] or sum(given.values()) != 1:
            raise ValueError("a video unit needs video_id, a reading resource_id, a quiz quiz")
        return self


class UnitUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(None, min_length=1, max_length=200)
    position: int | None = Field(None, ge=0, le=10_000)


def _out(m: Module) -> ModuleOut:
    return ModuleOut.model_validate(m, from_attributes=True)


@router.route("GET", "/courses/{course_id}/modules", tag="modules", query=Page, response=ModuleList)
async def list_modules(request: web.Request, query: Page, db: Database) -> ModuleList:
    """A course's modules in order (students see published ones)."""
    user = await require_user(request)
    course_id = path_id(request, "course_id", "course")
    async with db.session() as session:
        await require_course(session, user, course_id)
        rows, total = await course_modules(session, user, course_id, query.limit, query.offset)
    return ModuleList.of(map(_out, rows), total, query)


@router.route(
    "POST",
    "/courses/{course_id}/modules",
    tag="modules",
    body=ModuleIn,
    response=ModuleOut,
    status=201,
)
async def create_module(request: web.Request, body: ModuleIn, db: Database) -> ModuleOut:
    """Create a module in a course you teach."""
    user = await require_user(request)
    course_id = path_id(request, "course_id", "course")
    async with db.session() as session:
        await require_course(
            session,
            user,
            course_id,
            manage=True,
            denied="Only the course's educators create modules",
        )
        module = await new_module(session, course_id, body.model_dump())
        await session.commit()
        return _out(module)


@router.route("GET", "/modules/{module_id}", tag="modules", response=ModuleDetail)
async def get_module(request: web.Request, db: Database) -> ModuleDetail:
    """A module with its units, your state in each and which are still locked."""
    user = await require_user(request)
    module_id = path_id(request, "module_id", "module")
    async with db.session() as session:
        loaded = await load_module(session, user, module_id)
        units = await units_of(session, module_id)
        states = await unit_states(session, loaded.module, units, user.id, loaded.access)
        return ModuleDetail(
            **_out(loaded.module).model_dump(),
            can_manage=loaded.access == "manage",
            units=await unit_outputs(session, states),
        )


@router.route(
    "PATCH",
    "/modules/{module_id}",
    tag="modules",
    body=ModuleUpdate,
    response=ModuleOut,
)
async def update_module(request: web.Request, body: ModuleUpdate, db: Database) -> ModuleOut:
    """Edit, reorder, publish, or open a module to everyone (with a licence)."""
    user = await require_user(request)
    module_id = path_id(request, "module_id", "module")
    async with db.session() as session:
        module = (await load_module(session, user, module_id, manage=True)).module
        try:
            edit_module(module, body.model_dump(exclude_none=True))
        except Unlicensed as exc:
            raise Problem(422, "validation_error", "Invalid request", str(exc)) from exc
        await session.commit()
        return _out(module)


@router.route("DELETE", "/modules/{module_id}", tag="modules")
async def delete_module(request: web.Request, db: Database) -> None:
    """Delete a module with its units, quizzes, attempts and progress."""
    user = await require_user(request)
    module_id = path_id(request, "module_id", "module")
    async with db.session() as session:
        module = (await load_module(session, user, module_id, manage=True)).module
        await session.delete(module)
        await session.commit()


@router.route(
    "POST",
    "/modules/{module_id}/units",
    tag="modules",
    body=UnitIn,
    response=UnitOut,
    status=201,
    errors=(409,),
)
async def add_unit(request: web.Request, body: UnitIn, db: Database) -> UnitOut:
    """Add a video (library video of the course), a reading (course resource) or a quiz."""
    user = await require_user(request)
    module_id = path_id(request, "module_id", "module")
    async with db.session() as session:
        loaded = await load_module(session, user, module_id, manage=True)
        fields = body.model_dump(exclude={"quiz"})
        quiz = body.quiz.stored() if body.quiz is not None else None
        try:
            unit = await new_unit(session, loaded.module, fields, quiz)
        except TooManyUnits as exc:
            raise Problem(409, "limit_reached", "Too many units", str(exc)) from exc
        except NotInCourse as exc:
            raise not_found(str(exc)) from exc
        await session.commit()
        states = await unit_states(session, loaded.module, [unit], user.id, loaded.access)
        return (await unit_outputs(session, states))[0]


@router.route("PATCH", "/units/{unit_id}", tag="modules", body=UnitUpdate, response=UnitOut)
async def update_unit(request: web.Request, body: UnitUpdate, db: Database) -> UnitOut:
    """Rename or move a unit."""
    user = await require_user(request)
    async with db.session() as session:
        loaded, unit = await load_unit(session, user, request, manage=True)
        edit_unit(unit, body.model_dump(exclude_none=True))
        await session.commit()
        states = await unit_states(session, loaded.module, [unit], user.id, loaded.access)
        return (await unit_outputs(session, states))[0]


@router.route("DELETE", "/units/{unit_id}", tag="modules")
async def delete_unit(request: web.Request, db: Database) -> None:
    """Remove a unit (with its quiz, attempts and progress)."""
    user = await require_user(request)
    async with db.session() as session:
        _, unit = await load_unit(session, user, request, manage=True)
        await session.delete(unit)
        await session.commit()
