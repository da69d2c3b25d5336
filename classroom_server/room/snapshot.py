"""``room:state``: everything a client needs to draw the room from nothing (join or resume)."""

from __future__ import annotations

from typing import Any

from classroom_server.db import Lecture
from classroom_server.room import (
    breakout,
    captions,
    chat,
    hands,
    lobby,
    locks,
    media_policy,
    participants,
    polls,
    slides,
)
from classroom_server.room.context import Actor, RoomContext


async def snapshot(ctx: RoomContext, you: Actor) -> dict[str, Any]:
    async with ctx.database.session() as session:
        lecture = await session.get(Lecture, ctx.lecture_id)
    assert lecture is not None
    settings = await ctx.settings()
    presenter = await ctx.is_presenter(you)
    muted = you.user_id in await ctx.store.flagged(ctx.lecture_id, "muted")
    return {
        "lecture": {
            "id": lecture.id,
            "title": lecture.title,
            "status": lecture.status,
            "course_id": lecture.course_id,
        },
        "you": {
            "id": you.user_id,
            "name": you.name,
            "role": you.role,
            "presenter": presenter,
            "muted": muted,
        },
        "roster": await participants.roster(ctx),
        "decks": await slides.decks(ctx, ready_only=not (you.is_educator or presenter)),
        "slide": {"deck_id": settings.deck_id, "page": settings.page},
        "annotations": await slides.page_annotations(ctx, settings),
        "chat": await chat.history(ctx, you.user_id),
        "hands": await hands.queue(ctx),
        "poll": await polls.current_view(ctx, you),
        "locks": locks.locks_view(settings),
        "lobby": await lobby.lobby_view(ctx, lecture.requires_admission, you),
        "recording": False,
        "captions": await captions.state(ctx),
        "media": {
            "invited": await media_policy.invited(ctx),
            # office hours (both) and breakout groups (all) publish everything
            "meeting": await media_policy.is_meeting(ctx),
        },
        "breakout": await breakout.state(ctx, you),
    }
