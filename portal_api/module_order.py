"""Reordering a course's modules: the whole new order in one request, saved atomically."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from classroom_server.db import Database
from classroom_server.module_order import NotTheCourseModules, order_modules
from classroom_server.web_auth import require_user
from classroom_server.web_problems import Problem
from portal_api.access import require_course
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
        await require_course(
            session,
            user,
            course_id,
            manage=True,
            denied="Only the course's educators reorder its modules",
        )
        try:
            await order_modules(session, course_id, body.module_ids)
        except NotTheCourseModules as exc:
            raise Problem(422, "validation_error", "Invalid request", str(exc)) from exc
        await session.commit()
    return body
