"""A course's repository links (articles, books, datasets, library videos) in its order."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import Resource
from classroom_server.db.paging import paginate


async def course_resources(
    session: AsyncSession, course_id: int, limit: int, offset: int
) -> tuple[list[Resource], int]:
    """A page of the course's resources in the educator's order."""
    query = select(Resource).where(Resource.course_id == course_id)
    return await paginate(session, query.order_by(Resource.position, Resource.id), limit, offset)


async def add_resource(session: AsyncSession, course_id: int, fields: dict[str, Any]) -> Resource:
    resource = Resource(course_id=course_id, **fields)
    session.add(resource)
    await session.flush()
    return resource
