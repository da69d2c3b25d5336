"""The roster and the moderation of participants: presenter, mute (one or everyone), asking
someone to unmute, removal, ending."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from classroom_server.db import Lecture, LectureStatus, Removal, User, add_unique
from classroom_server.guest_links import end_guest_sessions
from classroom_server.policy import lecture_course_role
from classroom_server.room import hands
from classroom_server.room.audit import audit
from classroom_server.room.context import Actor, RoomContext
from classroom_server.room.outcome import LectureEnded, Outcome, RoomError, users
from classroom_server.room.payloads import Empty, MuteAll, MuteSet, PresenterSet, UserRef
from classroom_server.room.store import Flag


async def roster(ctx: RoomContext) -> list[dict[str, Any]]:
    """One entry per connected user, however many tabs they have open; from the store alone,
    so a join costs no database query per participant."""
    people = await ctx.store.people(ctx.lecture_id)
    if not people:
        return []
    presenters = await ctx.store.flagged(ctx.lecture_id, "presenter")
    muted = await ctx.store.flagged(ctx.lecture_id, "muted")
    return [
        participant_view(user_id, name, role, user_id in presenters, user_id in muted)
        for user_id, (name, role) in sorted(people.items(), key=lambda item: item[1][0])
    ]


def participant_view(
    user_id: int, name: str, role: str, presenter: bool, muted: bool
) -> dict[str, Any]:
    return {
        "id": user_id,
        "name": name,
        "role": role,
        "presenter": presenter,
        "muted": muted,
        "connected": True,
    }


async def _target(ctx: RoomContext, user_id: int) -> tuple[User, str]:
    async with ctx.database.session() as session:
        user = await session.get(User, user_id)
        role = await lecture_course_role(session, ctx.lecture_id, user_id)
    if user is None or role is None:
        raise RoomError("not_found", "no such participant")
    return user, role


async def _updated(ctx: RoomContext, user: User, role: str) -> dict[str, Any]:
    presenters = await ctx.store.flagged(ctx.lecture_id, "presenter")
    muted = await ctx.store.flagged(ctx.lecture_id, "muted")
    return participant_view(
        user.id, user.display_name, role, user.id in presenters, user.id in muted
    )


async def _flag(ctx: RoomContext, actor: Actor, flag: Flag, user_id: int, on: bool) -> Outcome:
    user, role = await _target(ctx, user_id)
    async with ctx.database.session() as session:
        audit(
            session,
            ctx,
            actor,
            "presenter_set" if flag == "presenter" else "mute",
            user.id,
            {flag: on},
        )
        await ctx.save_flag(session, flag, user.id, on)
    return Outcome().emit("roster:updated", await _updated(ctx, user, role))


async def set_presenter(ctx: RoomContext, actor: Actor, payload: PresenterSet) -> Outcome:
    return await _flag(ctx, actor, "presenter", payload.user_id, payload.presenter)


async def mute(ctx: RoomContext, actor: Actor, payload: MuteSet) -> Outcome:
    return await _flag(ctx, actor, "muted", payload.user_id, payload.muted)


async def mute_all(ctx: RoomContext, actor: Actor, payload: MuteAll) -> Outcome:
    """Mutes (or unmutes) every student in the room, presenters too unless spared: one event
    names them all, rather than a roster update per student to everyone."""
    people = await ctx.store.people(ctx.lecture_id)
    presenters = await ctx.store.flagged(ctx.lecture_id, "presenter")
    muted = await ctx.store.flagged(ctx.lecture_id, "muted")
    spared = presenters if payload.except_presenters else set()
    changed = sorted(
        user_id
        for user_id, (_name, role) in people.items()
        if role != "educator" and user_id not in spared and (user_id in muted) != payload.muted
    )
    async with ctx.database.session() as session:
        details = {"muted": payload.muted, "participants": len(changed)}
        audit(session, ctx, actor, "mute_all", None, details)
        await ctx.save_flags(session, "muted", changed, payload.muted)
    view = {"user_ids": changed, "muted": payload.muted}
    return Outcome(ack=dict(view)).emit("roster:muted", view)


async def ask_unmute(ctx: RoomContext, actor: Actor, payload: UserRef) -> Outcome:
    """The educator asks a student to speak: their mute is lifted at the SFU, a student who may
    not publish their microphone is invited, and they are asked to turn it on. Their choice:
    nobody's microphone is switched on for them."""
    user, role = await _target(ctx, payload.user_id)
    if role == "educator":
        raise RoomError("invalid", "only students are asked to unmute")
    muted = user.id in await ctx.store.flagged(ctx.lecture_id, "muted")
    may_speak = await ctx.store.flagged(ctx.lecture_id, "invited") | await ctx.store.flagged(
        ctx.lecture_id, "presenter"
    )
    invite = user.id not in may_speak
    async with ctx.database.session() as session:
        audit(session, ctx, actor, "ask_unmute", user.id)
        await ctx.save_flags(session, "muted", [user.id] if muted else [], False)
        await ctx.save_flags(session, "invited", [user.id] if invite else [], True)
    outcome = Outcome()
    if muted:
        outcome.emit("roster:updated", await _updated(ctx, user, role))
    if invite:
        outcome.emit("media:permissions", {"user_id": user.id, "invited": True})
    return outcome.emit("participant:unmute_requested", {"by": actor.name}, users(user.id))


async def remove(ctx: RoomContext, actor: Actor, payload: UserRef) -> Outcome:
    user, role = await _target(ctx, payload.user_id)
    if role == "educator":
        raise RoomError("forbidden", "an educator cannot be removed")
    async with ctx.database.session() as session:
        await add_unique(session, Removal(lecture_id=ctx.lecture_id, user_id=user.id))
        audit(session, ctx, actor, "remove", user.id)
        await session.commit()
    outcome = Outcome(disconnect_users=[user.id])
    if await ctx.store.lower_hand(ctx.lecture_id, user.id):
        outcome.emit("hand:queue", {"hands": await hands.queue(ctx)})
    outcome.emit("room:removed", {}, users(user.id))
    return outcome.emit("roster:removed", {"user_id": user.id})


async def end(ctx: RoomContext, actor: Actor, _payload: Empty) -> Outcome:
    async with ctx.database.session() as session:
        lecture = await session.get(Lecture, ctx.lecture_id)
        assert lecture is not None
        lecture.status = LectureStatus.ENDED.value
        lecture.ended_at = datetime.now(UTC)
        audit(session, ctx, actor, "end", None)
        await end_guest_sessions(session, ctx.lecture_id)
        await session.commit()
    return Outcome(end_room=True).effect(LectureEnded()).emit("lecture:ended", {})
