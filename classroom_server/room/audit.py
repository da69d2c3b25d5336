"""The moderation audit log: who did what to whom, kept with the lecture."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import AuditEntry, User
from classroom_server.db.paging import paginate_rows
from classroom_server.room.context import Actor, RoomContext


def record(
    session: AsyncSession,
    lecture_id: int,
    actor_id: int,
    action: str,
    target_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Adds the entry to the caller's transaction, so it commits with the action itself
    (the room's events and the REST API, which can end a lecture too, both write here)."""
    session.add(
        AuditEntry(
            lecture_id=lecture_id,
            actor_id=actor_id,
            action=action,
            target_id=target_id,
            details=details or {},
        )
    )


def audit(
    session: AsyncSession,
    ctx: RoomContext,
    actor: Actor,
    action: str,
    target_id: int | None,
    details: dict[str, Any] | None = None,
) -> None:
    record(session, ctx.lecture_id, actor.user_id, action, target_id, details)


@dataclass(frozen=True)
class AuditView:
    """One entry of the log as the educators read it: with the actor's name."""

    id: int
    at: datetime
    actor_id: int
    actor_name: str | None
    action: str
    target_id: int | None
    details: dict[str, Any]


async def audit_log(
    session: AsyncSession, lecture_id: int, limit: int, offset: int
) -> tuple[list[AuditView], int]:
    """A page of the lecture's log, oldest first, and how many entries it has."""
    query = (
        select(AuditEntry, User.display_name)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .where(AuditEntry.lecture_id == lecture_id)
        .order_by(AuditEntry.id)
    )
    rows, total = await paginate_rows(session, query, limit, offset)
    views = [
        AuditView(
            id=entry.id,
            at=entry.at,
            actor_id=entry.actor_id,
            actor_name=name,
            action=entry.action,
            target_id=entry.target_id,
            details=entry.details,
        )
        for entry, name in rows
    ]
    return views, total
