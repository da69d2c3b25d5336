"""Limit/offset pages: every list answers with one page of rows and the ``total`` unpaged."""

from __future__ import annotations

from typing import TypeVar, TypeVarTuple

from sqlalchemy import Row, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.selectable import SelectBase

T = TypeVar("T")
Ts = TypeVarTuple("Ts")


async def count_rows(session: AsyncSession, query: SelectBase) -> int:
    """How many rows ``query`` returns, unpaged."""
    return await session.scalar(select(func.count()).select_from(query.subquery())) or 0


async def paginate(
    session: AsyncSession, query: Select[T], limit: int, offset: int
) -> tuple[list[T], int]:
    """A page of an ordered one-entity ``query`` (``limit`` rows from ``offset``), and its total."""
    total = await count_rows(session, query)
    return list(await session.scalars(query.limit(limit).offset(offset))), total


async def paginate_rows(
    session: AsyncSession, query: Select[*Ts], limit: int, offset: int
) -> tuple[list[Row[*Ts]], int]:
    """The same for a ``query`` of several columns: a page of rows, and the total."""
    total = await count_rows(session, query)
    return list((await session.execute(query.limit(limit).offset(offset))).all()), total
