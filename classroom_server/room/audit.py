"""The moderation audit log: who did what to whom, kept with the lecture."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import AuditEntry
from classroom_server.room.context import Actor, RoomContext


def audit(
    session: AsyncSession,
    ctx: RoomContext,
    actor: Actor,
    action: str,
    target_id: int | None,
    details: dict[str, Any] | None = None,
) -> None:
    """Adds the entry to the caller's transaction, so it commits with the action itself."""
    session.add(
        AuditEntry(
            lecture_id=ctx.lecture_id,
            actor_id=actor.user_id,
            action=action,
            target_id=target_id,
            details=details or {},
        )
    )
