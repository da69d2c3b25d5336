"""Reordering a module's units in one request, so a drag or a "move up" is saved whole."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from classroom_server.db import Database
from classroom_server.module_progress import MAX_UNITS
from classroom_server.unit_order import NotTheUnits, reorder_units
from classroom_server.web_auth import require_user
from classroom_server.web_problems import Problem
from portal_api.module_common import load_module
from portal_api.router import ApiRouter, path_id
from portal_api.schemas import DbId

router = ApiRouter()


class UnitOrder(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_ids: list[DbId] = Field(
        max_length=MAX_UNITS, description="every unit id of the module, each once, in order"
    )


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
            ordered = await reorder_units(session, loaded.module, body.unit_ids)
        except NotTheUnits as exc:
            raise Problem(422, "validation_error", "Invalid request", str(exc)) from exc
        await session.commit()
        return UnitOrder(unit_ids=[u.id for u in ordered])
