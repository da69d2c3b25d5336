"""Putting a course's modules or a module's units in the order an educator chose, in one go.

The educator sends the whole list: positions become 0..n-1 together, so a half-saved order
(some moved, others not) never shows and two items never share a place, as one PATCH per item
could leave them; a list that misses or adds one (say, deleted in another tab) is refused
instead of guessed at.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import Module, Unit
from classroom_server.module_progress import units_of


class Placed(Protocol):
    id: int
    position: int


P = TypeVar("P", bound=Placed)


class NotTheSame(ValueError):
    """The ids given are not exactly the items there are, each once; the message says how."""


def reorder(items: Iterable[P], ids: Sequence[int], noun: str, owner: str) -> list[P]:
    """``items`` in the order of ``ids``, positions rewritten (the caller flushes)."""
    by_id = {item.id: item for item in items}
    if len(set(ids)) != len(ids):
        raise NotTheSame(f"each {noun[:-1]} id may appear only once")
    missing = sorted(set(by_id) - set(ids))
    foreign = sorted(set(ids) - set(by_id))
    if missing or foreign:
        parts = []
        if missing:
            parts.append(f"missing {noun} {', '.join(map(str, missing))}")
        if foreign:
            parts.append(f"{noun} {', '.join(map(str, foreign))} are not in this {owner}")
        raise NotTheSame(f"give exactly the {owner}'s {noun[:-1]} ids: " + "; ".join(parts))
    ordered = [by_id[i] for i in ids]
    for position, item in enumerate(ordered):
        item.position = position
    return ordered


async def order_modules(
    session: AsyncSession, course_id: int, module_ids: Sequence[int]
) -> list[Module]:
    """The course's modules' rows are locked (on PostgreSQL), so two reorders of one course do
    not interleave."""
    query = select(Module).where(Module.course_id == course_id).with_for_update()
    ordered = reorder(await session.scalars(query), module_ids, "modules", "course")
    await session.flush()
    return ordered


async def order_units(session: AsyncSession, module: Module, unit_ids: Sequence[int]) -> list[Unit]:
    ordered = reorder(await units_of(session, module.id), unit_ids, "units", "module")
    await session.flush()
    return ordered
