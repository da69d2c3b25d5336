"""The raised-hand queue, ordered by when each hand went up."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from classroom_server import attendance
from classroom_server.db import User
from classroom_server.room.context import Actor, RoomContext
from classroom_server.room.outcome import Outcome, RoomError
from classroom_server.room.payloads import Empty, HandLower


async def queue(ctx: RoomContext) -> list[dict[str, Any]]:
    hands = await ctx.store.hands(ctx.lecture_id)
    if not hands:
        return []
    async with ctx.database.session() as session:
        names = dict(
            (
                await session.execute(
                    select(User.id, User.display_name).where(User.id.in_([u for u, _ in hands]))
                )
            )
            .tuples()
            .all()
        )
    return [
        {
            "user_id": user,
            "name": names.get(user, "?"),
            "raised_at": datetime.fromtimestamp(at, UTC).isoformat(),
        }
        for user, at in hands
    ]


async def raise_hand(ctx: RoomContext, actor: Actor, _payload: Empty) -> Outcome:
    if not await ctx.store.raise_hand(ctx.lecture_id, actor.user_id, time.time()):
        raise RoomError("conflict", "your hand is already raised")
    await attendance.hand_raised(ctx.database, ctx.lecture_id, actor.user_id)
    return Outcome().emit("hand:queue", {"hands": await queue(ctx)})


async def lower_hand(ctx: RoomContext, actor: Actor, payload: HandLower) -> Outcome:
    target = payload.user_id or actor.user_id
    if target != actor.user_id and not actor.is_educator:
        raise RoomError("forbidden", "only an educator lowers someone else's hand")
    if not await ctx.store.lower_hand(ctx.lecture_id, target):
        raise RoomError("not_found", "that hand is not raised")
    return Outcome().emit("hand:queue", {"hands": await queue(ctx)})


async def lower_all(ctx: RoomContext, _actor: Actor, _payload: Empty) -> Outcome:
    """The educator clears the queue (a question answered for everyone, a new topic)."""
    for user_id, _at in await ctx.store.hands(ctx.lecture_id):
        await ctx.store.lower_hand(ctx.lecture_id, user_id)
    return Outcome().emit("hand:queue", {"hands": await queue(ctx)})
