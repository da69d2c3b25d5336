"""The order of a course's modules, set in one go.

An educator moves modules around as a whole list: saving that list in one transaction means two
modules never share a place and a half-saved order never shows, as one PATCH per module could.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import Module


class NotTheCourseModules(Exception):
    """The ids given are not exactly the course's modules, each once: the order would be unclear."""


async def order_modules(session: AsyncSession, course_id: int, module_ids: Sequence[int]) -> None:
    """Gives the course's modules positions 0..n-1 in the order of ``module_ids`` (not committed).

    The modules' rows are locked (on PostgreSQL) so two reorders of one course do not interleave.
    """
    rows = await session.scalars(
        select(Module).where(Module.course_id == course_id).with_for_update()
    )
    modules = {m.id: m for m in rows}
    if len(set(module_ids)) != len(module_ids):
        raise NotTheCourseModules("every module may appear only once")
    missing = sorted(set(modules) - set(module_ids))
    foreign = sorted(set(module_ids) - set(modules))
    if missing or foreign:
        raise NotTheCourseModules(
            "module_ids must be exactly the course's modules"
            + (f"; missing {missing}" if missing else "")
            + (f"; not in this course {foreign}" if foreign else "")
        )
    for position, module_id in enumerate(module_ids):
        modules[module_id].position = position
