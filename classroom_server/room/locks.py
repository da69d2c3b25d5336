"""The educator's locks on public chat and on students' drawing."""

from __future__ import annotations

from typing import Literal

from classroom_server.room.audit import audit
from classroom_server.room.context import Actor, RoomContext
from classroom_server.room.outcome import Outcome
from classroom_server.room.payloads import Lock

Which = Literal["chat", "annotation"]


def locks_view(chat_locked: bool, annotations_locked: bool) -> dict[str, bool]:
    return {"chat": chat_locked, "annotations": annotations_locked}


async def _set(ctx: RoomContext, actor: Actor, which: Which, locked: bool) -> Outcome:
    settings = await ctx.settings()
    if which == "chat":
        settings.chat_locked = locked
    else:
        settings.annotations_locked = locked
    async with ctx.database.session() as session:
        audit(session, ctx, actor, f"{which}_lock", None, {"locked": locked})
        await ctx.save_settings(session, settings)
    view = locks_view(settings.chat_locked, settings.annotations_locked)
    return Outcome().emit("room:locks", view)


async def lock_chat(ctx: RoomContext, actor: Actor, payload: Lock) -> Outcome:
    return await _set(ctx, actor, "chat", payload.locked)


async def lock_annotations(ctx: RoomContext, actor: Actor, payload: Lock) -> Outcome:
    return await _set(ctx, actor, "annotation", payload.locked)
