"""Counting for limit/offset pages: every list answers with its ``total``."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.selectable import SelectBase


async def count_rows(session: AsyncSession, query: SelectBase) -> int:
    """How many rows ``query`` returns, unpaged."""
    return await session.scalar(select(func.count()).select_from(query.subquery())) or 0
