"""The lobby: a lecture that requires admission keeps its students (and every guest) waiting
outside until an educator admits them, one by one or all at once, or denies them.

Admission is the room lock's ``admitted`` flag: whoever is admitted comes straight back in on
a reconnect, and the students present when the lobby is turned on are admitted then, so nobody
already in is sent out. A denied person is sent away; trying again puts them in the lobby
again (the educator may deny again, or remove them once admitted). Educators never wait. The
waiting list lives in the room store, so every process of a deployment sees the same one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import CourseRole, Lecture, RoomFlag, User
from classroom_server.room.audit import audit
from classroom_server.room.context import Actor, RoomContext
from classroom_server.room.outcome import EDUCATORS, Outcome, RoomError, users
from classroom_server.room.payloads import Empty, LobbySet, UserRef

MAX_WAITING = 200
"""Waiting people per lecture: beyond it a newcomer is refused (``lobby_full``)."""
DENIED_MESSAGE = "the educator did not admit you to this lecture"


async def is_admitted(session: AsyncSession, lecture_id: int, user_id: int) -> bool:
    """The database is the truth every process shares; the room store only caches it."""
    found = await session.scalar(
        select(RoomFlag.user_id).where(
            RoomFlag.lecture_id == lecture_id,
            RoomFlag.user_id == user_id,
            RoomFlag.flag == "admitted",
        )
    )
    return found is not None


async def must_wait(session: AsyncSession, lecture: Lecture, user: User, role: CourseRole) -> bool:
    """A student of a lecture requiring admission, or any guest, who was not admitted yet."""
    if role == CourseRole.EDUCATOR:
        return False
    if not lecture.requires_admission and user.guest_lecture_id is None:
        return False
    return not await is_admitted(session, lecture.id, user.id)


async def waiting(ctx: RoomContext) -> list[dict[str, Any]]:
    """Who waits, longest first: what the educators' lobby panel lists."""
    entries = await ctx.store.lobby(ctx.lecture_id)
    return [
        {
            "user_id": user_id,
            "name": name,
            "guest": guest,
            "since": datetime.fromtimestamp(since, UTC).isoformat(),
        }
        for user_id, (name, guest, since) in sorted(entries.items(), key=lambda e: e[1][2])
    ]


async def lobby_view(ctx: RoomContext, enabled: bool, you: Actor) -> dict[str, Any]:
    """``room:state``'s part: the setting for everyone, the waiting list for educators."""
    return {"enabled": enabled, "waiting": await waiting(ctx) if you.is_educator else []}


async def changed(ctx: RoomContext, outcome: Outcome | None = None) -> Outcome:
    """Tells the educators who waits now (the whole list: it is bounded)."""
    outcome = outcome if outcome is not None else Outcome()
    return outcome.emit("lobby:waiting", {"waiting": await waiting(ctx)}, EDUCATORS)


async def _admit(ctx: RoomContext, actor: Actor, user_ids: list[int]) -> Outcome:
    async with ctx.database.session() as session:
        target = user_ids[0] if len(user_ids) == 1 else None
        audit(session, ctx, actor, "lobby_admit", target, {"participants": len(user_ids)})
        await ctx.save_flags(session, "admitted", user_ids, True)
    for user_id in user_ids:
        await ctx.store.lobby_drop(ctx.lecture_id, user_id)
    outcome = Outcome(ack={"admitted": user_ids})
    if user_ids:
        outcome.emit("lobby:admitted", {}, users(*user_ids))
    return await changed(ctx, outcome)


async def admit(ctx: RoomContext, actor: Actor, payload: UserRef) -> Outcome:
    if payload.user_id not in await ctx.store.lobby(ctx.lecture_id):
        raise RoomError("not_found", "nobody by that id is waiting")
    return await _admit(ctx, actor, [payload.user_id])


async def admit_all(ctx: RoomContext, actor: Actor, _payload: Empty) -> Outcome:
    return await _admit(ctx, actor, sorted(await ctx.store.lobby(ctx.lecture_id)))


async def deny(ctx: RoomContext, actor: Actor, payload: UserRef) -> Outcome:
    """Sends the person away: told why, then their waiting connections are closed."""
    if payload.user_id not in await ctx.store.lobby(ctx.lecture_id):
        raise RoomError("not_found", "nobody by that id is waiting")
    sids = await ctx.store.lobby_drop(ctx.lecture_id, payload.user_id)
    async with ctx.database.session() as session:
        audit(session, ctx, actor, "lobby_deny", payload.user_id)
        await session.commit()
    outcome = Outcome(ack={"denied": payload.user_id}, disconnect_sids=sorted(sids))
    outcome.emit("lobby:denied", {"message": DENIED_MESSAGE}, users(payload.user_id))
    return await changed(ctx, outcome)


async def set_lobby(ctx: RoomContext, actor: Actor, payload: LobbySet) -> Outcome:
    """Turning it on admits the students present (they stay in); turning it off admits
    everyone waiting."""
    present: list[int] = []
    if payload.enabled:
        people = await ctx.store.people(ctx.lecture_id)
        present = sorted(u for u, (_name, role) in people.items() if role != "educator")
    async with ctx.database.session() as session:
        lecture = await session.get(Lecture, ctx.lecture_id)
        assert lecture is not None
        lecture.requires_admission = payload.enabled
        audit(session, ctx, actor, "lobby", None, {"enabled": payload.enabled})
        await ctx.save_flags(session, "admitted", present, True)
    view = {"enabled": payload.enabled}
    if payload.enabled:
        return Outcome(ack=dict(view)).emit("room:lobby", view)
    outcome = await admit_all(ctx, actor, Empty())
    outcome.ack = dict(view)
    return outcome.emit("room:lobby", view)
