"""The educator's locks: on public chat, on students' drawing, and on the room itself (new
participants stay out; the students present when it was locked are admitted, so a dropped
connection still comes back)."""

from __future__ import annotations

from typing import Literal

from classroom_server.db import Lecture
from classroom_server.room.audit import audit
from classroom_server.room.context import Actor, RoomContext, Settings
from classroom_server.room.outcome import Outcome
from classroom_server.room.payloads import Lock

Which = Literal["chat", "annotation"]


def locks_view(settings: Settings) -> dict[str, bool]:
    return {
        "chat": settings.chat_locked,
        "annotations": settings.annotations_locked,
        "room": settings.room_locked,
    }


async def _set(ctx: RoomContext, actor: Actor, which: Which, locked: bool) -> Outcome:
    settings = await ctx.settings()
    if which == "chat":
        settings.chat_locked = locked
    else:
        settings.annotations_locked = locked
    async with ctx.database.session() as session:
        audit(session, ctx, actor, f"{which}_lock", None, {"locked": locked})
        await ctx.save_settings(session, settings)
    return Outcome().emit("room:locks", locks_view(settings))


async def lock_chat(ctx: RoomContext, actor: Actor, payload: Lock) -> Outcome:
    return await _set(ctx, actor, "chat", payload.locked)


async def lock_annotations(ctx: RoomContext, actor: Actor, payload: Lock) -> Outcome:
    return await _set(ctx, actor, "annotation", payload.locked)


async def lock_room(ctx: RoomContext, actor: Actor, payload: Lock) -> Outcome:
    """Admits the students in the room now (or forgets every admission when unlocking, but
    while the lobby is on: there, admission is what the educator gave one by one)."""
    settings = await ctx.settings()
    settings.room_locked = payload.locked
    if payload.locked:
        people = await ctx.store.people(ctx.lecture_id)
        admitted = sorted(u for u, (_name, role) in people.items() if role != "educator")
    elif not await _lobby_on(ctx):
        admitted = sorted(await ctx.store.flagged(ctx.lecture_id, "admitted"))
    else:
        admitted = []
    async with ctx.database.session() as session:
        audit(session, ctx, actor, "room_lock", None, {"locked": payload.locked})
        await ctx.save_flags(session, "admitted", admitted, payload.locked)
        await ctx.save_settings(session, settings)
    return Outcome(ack={"locked": payload.locked}).emit("room:locks", locks_view(settings))


async def _lobby_on(ctx: RoomContext) -> bool:
    async with ctx.database.session() as session:
        lecture = await session.get(Lecture, ctx.lecture_id)
    return lecture is not None and lecture.requires_admission
