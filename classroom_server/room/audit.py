"""The moderation audit log: who did what to whom, kept with the lecture."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import AuditEntry
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
