"""Putting a module's units in a new order in one transaction.

The educator sends every unit id of the module in the order wanted; positions are rewritten
0, 1, 2, ... together, so a half-saved order (some units moved, others not) never shows, and
a list that misses or adds a unit (for instance one deleted in another tab) is refused
instead of guessed at.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import Module, Unit
from classroom_server.module_progress import units_of


class NotTheUnits(ValueError):
    """The ids given are not exactly the module's units, each once."""


async def reorder_units(
    session: AsyncSession, module: Module, unit_ids: Sequence[int]
) -> list[Unit]:
    """The module's units in the order of ``unit_ids``, their positions rewritten (flushed,
    not committed); NotTheUnits unless ``unit_ids`` names every unit of the module once."""
    units = {u.id: u for u in await units_of(session, module.id)}
    if len(set(unit_ids)) != len(unit_ids):
        raise NotTheUnits("each unit id may appear only once")
    missing = sorted(set(units) - set(unit_ids))
    foreign = sorted(set(unit_ids) - set(units))
    if missing or foreign:
        parts = []
        if missing:
            parts.append(f"missing units {', '.join(map(str, missing))}")
        if foreign:
            parts.append(f"units {', '.join(map(str, foreign))} are not in this module")
        raise NotTheUnits("give exactly the module's unit ids: " + "; ".join(parts))
    ordered = [units[i] for i in unit_ids]
    for position, unit in enumerate(ordered):
        unit.position = position
    await session.flush()
    return ordered
