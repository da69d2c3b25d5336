"""Reordering a course's modules or a module's units: the whole new order in one request, so a
"move up" is saved whole (``classroom_server.positions`` says why)."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from classroom_server.db import Database
from classroom_server.module_progress import MAX_UNITS
from classroom_server.positions import NotTheSame, order_modules, order_units
from classroom_server.web_auth import require_user
from classroom_server.web_problems import Problem
from portal_api.access import require_course
from portal_api.module_common import load_module
from portal_api.router import ApiRouter, path_id
from portal_api.schemas import DbId

router = ApiRouter()

MAX_MODULES = 1000
"""More ids than any course holds: the body stays small."""


class ModuleOrder(BaseModel):
    model_config = ConfigDict(extra="forbid")

    module_ids: list[DbId] = Field(
        max_length=MAX_MODULES,
        description="every module of the course, each once, in the new order",
        examples=[[12, 10, 11]],
    )


class UnitOrder(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_ids: list[DbId] = Field(
        max_length=MAX_UNITS, description="every unit id of the module, each once, in order"
    )


def _refused(exc: NotTheSame) -> Problem:
    return Problem(422, "validation_error", "Invalid request", str(exc))


@router.route(
    "PUT",
    "/courses/{course_id}/modules/order",
    tag="modules",
    body=ModuleOrder,
    response=ModuleOrder,
)
async def put_module_order(request: web.Request, body: ModuleOrder, db: Database) -> ModuleOrder:
    """Set the order of all the course's modules at once (positions become 0..n-1)."""
    user = await require_user(request)
    course_id = path_id(request, "course_id", "course")
    async with db.session() as session:
        denied = "Only the course's educators reorder its modules"
        await require_course(session, user, course_id, manage=True, denied=denied)
        try:
            ordered = await order_modules(session, course_id, body.module_ids)
        except NotTheSame as exc:
            raise _refused(exc) from exc
        await session.commit()
        return ModuleOrder(module_ids=[m.id for m in ordered])


@router.route(
    "PUT",
    "/modules/{module_id}/units/order",
    tag="modules",
    body=UnitOrder,
    response=UnitOrder,
)
async def put_unit_order(request: web.Request, body: UnitOrder, db: Database) -> UnitOrder:
    """Put the module's units in this order (all of them, each once); 422 otherwise."""
    user = await require_user(request)
    module_id = path_id(request, "module_id", "module")
    async with db.session() as session:
        loaded = await load_module(session, user, module_id, manage=True)
        try:
            ordered = await order_units(session, loaded.module, body.unit_ids)
        except NotTheSame as exc:
            raise _refused(exc) from exc
        await session.commit()
        return UnitOrder(unit_ids=[u.id for u in ordered])
