"""What a room's chat and whiteboard hold after it closed, for the course's educators: a
breakout group's work is read here once the group is back in the main room."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import Annotation, ChatMessage, User
from classroom_server.db.paging import paginate_rows
from classroom_server.room.views import iso

MAX_ANNOTATIONS = 5000
"""Drawings answered at most (a whiteboard holds far fewer; the cap bounds the answer)."""


async def public_chat(
    session: AsyncSession, lecture_id: int, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """The room's public messages, oldest first (private ones stay between their two)."""
    query = (
        select(ChatMessage, User.display_name)
        .join(User, User.id == ChatMessage.sender_id)
        .where(
            ChatMessage.lecture_id == lecture_id,
            ChatMessage.recipient_id.is_(None),
            ChatMessage.deleted.is_(False),
        )
        .order_by(ChatMessage.id)
    )
    rows, total = await paginate_rows(session, query, limit, offset)
    return [
        {
            "id": message.id,
            "sender_id": message.sender_id,
            "sender_name": name,
            "text": message.text,
            "sent_at": message.sent_at,
        }
        for message, name in rows
    ], total


async def drawings(session: AsyncSession, lecture_id: int) -> list[dict[str, Any]]:
    """Every drawing still on the room's pages, in the order drawn."""
    rows = await session.scalars(
        select(Annotation)
        .where(Annotation.lecture_id == lecture_id, Annotation.removed.is_(False))
        .order_by(Annotation.id)
        .limit(MAX_ANNOTATIONS)
    )
    return [
        {
            "id": a.id,
            "deck_id": a.deck_id,
            "page": a.page,
            "author_id": a.author_id,
            "shape": a.shape,
            "created_at": iso(a.created_at),
        }
        for a in rows
    ]
