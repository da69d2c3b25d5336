"""Breakout rooms: the educator splits the class into groups, each a child lecture of its own.

Every group is a whole lecture (``lectures.create_lecture``): media, chat, whiteboard, presenter
rights and recording work per group with the room machinery unchanged, and its chat and
whiteboard stay in the database afterwards. The rows in ``breakout_models`` say whose group it
is and when it ends. The end time is stored, so a restarted server still ends it on time
(``breakout_timer``); until it does, a breakout past its end is not shown.

Events of a breakout reach the other lectures' rooms through ``Outcome.there``: the group
rooms hear the educator's broadcast and the end, and each is closed when the breakout ends.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server import lectures
from classroom_server.db import (
    Breakout,
    BreakoutGroup,
    BreakoutMember,
    BreakoutPlan,
    ChatMessage,
    CourseRole,
    Enrolment,
    Lecture,
    LectureStatus,
    RoomSettings,
    User,
    add_unique,
)
from classroom_server.room.audit import audit
from classroom_server.room.context import Actor, RoomContext
from classroom_server.room.outcome import LectureEnded, Outcome, RoomError, users
from classroom_server.room.payloads import (
    BreakoutBroadcast,
    BreakoutChoose,
    BreakoutGroupPlan,
    BreakoutMove,
    BreakoutStart,
    Empty,
)
from classroom_server.room.views import chat_view, iso

TITLE_MAX = 200


class NotEnrolled(Exception):
    """Some of the users named are not students of the course."""

    def __init__(self, user_ids: list[int]) -> None:
        super().__init__(f"not students of this course: {user_ids}")
        self.user_ids = user_ids


async def check_students(session: AsyncSession, course_id: int, user_ids: list[int]) -> None:
    """Raises ``NotEnrolled`` unless every one is enrolled in the course as a student."""
    if not user_ids:
        return
    found = set(
        await session.scalars(
            select(Enrolment.user_id).where(
                Enrolment.course_id == course_id,
                Enrolment.role == CourseRole.STUDENT.value,
                Enrolment.user_id.in_(user_ids),
            )
        )
    )
    missing = sorted(set(user_ids) - found)
    if missing:
        raise NotEnrolled(missing)


async def load_plan(session: AsyncSession, lecture_id: int) -> list[BreakoutGroupPlan] | None:
    plan = await session.get(BreakoutPlan, lecture_id)
    if plan is None:
        return None
    return [BreakoutGroupPlan.model_validate(g) for g in plan.groups]


def _now() -> datetime:
    return datetime.now(UTC)


async def _lecture(session: AsyncSession, lecture_id: int) -> Lecture:
    lecture = await session.get(Lecture, lecture_id)
    if lecture is None:
        raise RoomError("not_found", "no such lecture")
    return lecture


async def running(session: AsyncSession, lecture_id: int) -> Breakout | None:
    """The breakout under way in this lecture, or in the lecture this group room belongs to."""
    group_of = select(BreakoutGroup.breakout_id).where(BreakoutGroup.lecture_id == lecture_id)
    breakout: Breakout | None = await session.scalar(
        select(Breakout).where(
            or_(Breakout.lecture_id == lecture_id, Breakout.id.in_(group_of)),
            Breakout.ended_at.is_(None),
            Breakout.ends_at > _now(),
        )
    )
    return breakout


async def _unended(session: AsyncSession, lecture_id: int) -> bool:
    found = await session.scalar(
        select(Breakout.id).where(Breakout.lecture_id == lecture_id, Breakout.ended_at.is_(None))
    )
    return found is not None


async def is_group_room(session: AsyncSession, lecture_id: int) -> bool:
    found = await session.scalar(
        select(BreakoutGroup.lecture_id).where(BreakoutGroup.lecture_id == lecture_id)
    )
    return found is not None


# -- starting ------------------------------------------------------------------------------


async def start(ctx: RoomContext, actor: Actor, payload: BreakoutStart) -> Outcome:
    async with ctx.database.session() as session:
        parent = await _lecture(session, ctx.lecture_id)
        plans = await _groups(ctx, session, parent, payload)
        if parent.status != LectureStatus.LIVE.value:
            raise RoomError("conflict", "breakout rooms open in a live lecture")
        if await is_group_room(session, parent.id):
            raise RoomError("conflict", "a breakout room is not split again")
        if await _unended(session, parent.id):
            # Open, or past its end and about to be closed by the timer: its end must not
            # reach the clients after the new one started.
            raise RoomError("conflict", "breakout rooms are already open")
        now = _now()
        breakout = Breakout(
            lecture_id=parent.id,
            mode=payload.mode,
            record=payload.record,
            started_at=now,
            ends_at=now + timedelta(minutes=payload.minutes),
        )
        if not await add_unique(session, breakout):  # another educator's, a moment earlier
            raise RoomError("conflict", "breakout rooms are already open")
        for number, plan in enumerate(plans, start=1):
            await _open_group(ctx, session, parent, breakout, number, plan, payload.minutes)
        audit(session, ctx, actor, "breakout_start", None, {"mode": payload.mode})
        await session.commit()
        view = await breakout_view(session, breakout)
    outcome = Outcome(ack={"breakout": view}).emit("breakout:started", view)
    for group in view["groups"]:
        for member in group["members"]:
            outcome.emit("breakout:yours", {"group": _short(group)}, users(member["user_id"]))
    return outcome


async def _groups(
    ctx: RoomContext, session: AsyncSession, parent: Lecture, payload: BreakoutStart
) -> list[BreakoutGroupPlan]:
    """The groups to open, by mode; named students must be the course's."""
    if payload.mode == "plan":
        plans = await load_plan(session, parent.id)
        if not plans:
            raise RoomError("not_found", "no breakout plan was saved for this lecture")
    elif payload.mode == "assigned":
        plans = payload.groups
    elif payload.mode == "random":
        plans = await _dealt(ctx, payload.count or 1)
    else:
        plans = [
            BreakoutGroupPlan(name=f"{n}", user_ids=[]) for n in range(1, (payload.count or 1) + 1)
        ]
    try:
        await check_students(session, parent.course_id, [u for p in plans for u in p.user_ids])
    except NotEnrolled as exc:
        raise RoomError("not_found", "not students of this course", user_ids=exc.user_ids) from None
    return plans


async def _dealt(ctx: RoomContext, count: int) -> list[BreakoutGroupPlan]:
    """The students present, shuffled and dealt into ``count`` groups like cards."""
    people = await ctx.store.people(ctx.lecture_id)
    students = [user for user, (_name, role) in people.items() if role == "student"]
    if not students:
        raise RoomError("conflict", "no students are here to split")
    random.shuffle(students)
    count = min(count, len(students))
    return [BreakoutGroupPlan(name=f"{n + 1}", user_ids=students[n::count]) for n in range(count)]


async def _open_group(
    ctx: RoomContext,
    session: AsyncSession,
    parent: Lecture,
    breakout: Breakout,
    number: int,
    plan: BreakoutGroupPlan,
    minutes: int,
) -> None:
    title = f"{parent.title} · {plan.name}"[:TITLE_MAX]
    child = await lectures.create_lecture(session, parent.course_id, title, _now(), minutes)
    lectures.start(child)
    child.record_automatically = breakout.record  # recorded only if the educator asked
    settings = await session.get(RoomSettings, child.id)
    if settings is not None:  # group work: every member draws on the group's whiteboard
        settings.annotations_locked = False
    session.add(
        BreakoutGroup(lecture_id=child.id, breakout_id=breakout.id, number=number, name=plan.name)
    )
    for user_id in plan.user_ids:
        session.add(BreakoutMember(breakout_id=breakout.id, user_id=user_id, lecture_id=child.id))
    await session.flush()
    if plan.user_ids:  # the group's first member presents in its room
        await _make_presenter(ctx, session, child.id, plan.user_ids[0])


async def _make_presenter(
    ctx: RoomContext, session: AsyncSession, child_id: int, user_id: int
) -> None:
    group = RoomContext(child_id, ctx.database, ctx.store)
    await group.save_flag(session, "presenter", user_id, True)


# -- joining a group while it runs ---------------------------------------------------------


async def choose(ctx: RoomContext, actor: Actor, payload: BreakoutChoose) -> Outcome:
    """A student picks a group (``choose`` mode); picking again moves them."""
    async with ctx.database.session() as session:
        breakout = await running(session, ctx.lecture_id)
        if breakout is None or breakout.mode != "choose":
            raise RoomError("conflict", "no breakout lets students choose now")
        return await _place(ctx, session, actor, breakout, actor.user_id, payload.group)


async def move(ctx: RoomContext, actor: Actor, payload: BreakoutMove) -> Outcome:
    """The educator puts a student into another group while the breakout runs."""
    async with ctx.database.session() as session:
        lecture = await _lecture(session, ctx.lecture_id)
        try:
            await check_students(session, lecture.course_id, [payload.user_id])
        except NotEnrolled:
            raise RoomError("not_found", "no such student in this course") from None
        breakout = await running(session, ctx.lecture_id)
        if breakout is None:
            raise RoomError("conflict", "no breakout rooms are open")
        return await _place(ctx, session, actor, breakout, payload.user_id, payload.group)


async def _place(
    ctx: RoomContext,
    session: AsyncSession,
    actor: Actor,
    breakout: Breakout,
    user_id: int,
    number: int,
) -> Outcome:
    group = await session.scalar(
        select(BreakoutGroup).where(
            BreakoutGroup.breakout_id == breakout.id, BreakoutGroup.number == number
        )
    )
    if group is None:
        raise RoomError("not_found", "no such group")
    was = await session.get(BreakoutMember, (breakout.id, user_id))
    old = was.lecture_id if was is not None else None
    if old != group.lecture_id:
        await session.execute(
            delete(BreakoutMember).where(
                BreakoutMember.breakout_id == breakout.id, BreakoutMember.user_id == user_id
            )
        )
        session.add(
            BreakoutMember(breakout_id=breakout.id, user_id=user_id, lecture_id=group.lecture_id)
        )
        await session.flush()
        if await _members(session, group.lecture_id) == [user_id]:
            await _make_presenter(ctx, session, group.lecture_id, user_id)
        audit(session, ctx, actor, "breakout_place", user_id, {"group": number})
        await session.commit()
    view = await breakout_view(session, breakout)
    yours = {"group": _short(_find(view, group.lecture_id))}
    outcome = Outcome(ack=dict(yours))
    main = _at(outcome, ctx.lecture_id, breakout.lecture_id)
    main.emit("breakout:groups", view).emit("breakout:yours", yours, users(user_id))
    for other in view["groups"]:
        _at(outcome, ctx.lecture_id, other["lecture_id"]).emit("breakout:groups", view)
    if old is not None and old != group.lecture_id:  # out of the room they were in
        left = _at(outcome, ctx.lecture_id, old).emit("breakout:yours", yours, users(user_id))
        left.disconnect_users.append(user_id)
    return outcome


def _at(outcome: Outcome, here: int, lecture_id: int) -> Outcome:
    """What reaches ``lecture_id``'s room, in an outcome delivered in lecture ``here``'s."""
    return outcome if lecture_id == here else outcome.there(lecture_id)


async def _members(session: AsyncSession, child_id: int) -> list[int]:
    return list(
        await session.scalars(
            select(BreakoutMember.user_id).where(BreakoutMember.lecture_id == child_id)
        )
    )


# -- talking to every group, and ending ------------------------------------------------------


async def broadcast(ctx: RoomContext, actor: Actor, payload: BreakoutBroadcast) -> Outcome:
    """A notice into every group room, kept in each group's chat as the educator's message."""
    async with ctx.database.session() as session:
        breakout = await running(session, ctx.lecture_id)
        if breakout is None:
            raise RoomError("conflict", "no breakout rooms are open")
        groups = await _group_rows(session, breakout.id)
        messages = []
        for group in groups:
            message = ChatMessage(
                lecture_id=group.lecture_id, sender_id=actor.user_id, text=payload.text
            )
            session.add(message)
            messages.append(message)
        notice = {"text": payload.text, "from": {"id": actor.user_id, "name": actor.name}}
        breakout.notice = notice
        audit(session, ctx, actor, "breakout_broadcast", None)
        await session.commit()
    outcome = Outcome(ack={"sent": len(groups)})
    _at(outcome, ctx.lecture_id, breakout.lecture_id).emit("breakout:notice", notice)
    people = {actor.user_id: (actor.name, actor.role)}
    for group, message in zip(groups, messages, strict=True):
        there = _at(outcome, ctx.lecture_id, group.lecture_id).emit("breakout:notice", notice)
        there.emit("chat:message", chat_view(message, people))
    return outcome


async def end(ctx: RoomContext, actor: Actor, _payload: Empty) -> Outcome:
    """Everyone back to the main room; the group rooms end (and finish their recordings)."""
    async with ctx.database.session() as session:
        breakout = await running(session, ctx.lecture_id)
        if breakout is None:
            raise RoomError("conflict", "no breakout rooms are open")
        audit(session, ctx, actor, "breakout_end", None)
        outcome = await finish(session, breakout, ctx.lecture_id)
    if outcome is None:
        raise RoomError("conflict", "the breakout rooms have just ended")
    return outcome


async def finish(session: AsyncSession, breakout: Breakout, here: int) -> Outcome | None:
    """Ends ``breakout`` once (None when someone else ended it first) and commits ``session``:
    the outcome to deliver in lecture ``here``, carrying what every other room hears."""
    claimed = await session.execute(
        update(Breakout)
        .where(Breakout.id == breakout.id, Breakout.ended_at.is_(None))
        .values(ended_at=_now())
    )
    if claimed.rowcount == 0:  # type: ignore[attr-defined]
        await session.rollback()
        return None
    groups = await _group_rows(session, breakout.id)
    for group in groups:
        child = await session.get(Lecture, group.lecture_id)
        if child is not None:
            lectures.end(child)
    await session.commit()
    ended = {"breakout_id": breakout.id, "lecture_id": breakout.lecture_id}
    outcome = Outcome(ack={"ended": True})
    _at(outcome, here, breakout.lecture_id).emit("breakout:ended", ended)
    for group in groups:
        there = _at(outcome, here, group.lecture_id).emit("breakout:ended", ended)
        there.end_room = True
        there.effect(LectureEnded())
    return outcome


async def end_due(session: AsyncSession) -> list[tuple[int, Outcome]]:
    """Ends every breakout whose time is up or whose main lecture has ended: (main lecture,
    outcome) for each this call ended. Safe to run in every process at once."""
    due = list(
        await session.scalars(
            select(Breakout)
            .join(Lecture, Lecture.id == Breakout.lecture_id)
            .where(
                Breakout.ended_at.is_(None),
                or_(Breakout.ends_at <= _now(), Lecture.status == LectureStatus.ENDED.value),
            )
        )
    )
    ended = []
    for breakout in due:
        outcome = await finish(session, breakout, breakout.lecture_id)
        if outcome is not None:
            ended.append((breakout.lecture_id, outcome))
    return ended


# -- what a client sees ----------------------------------------------------------------------


async def _group_rows(session: AsyncSession, breakout_id: int) -> list[BreakoutGroup]:
    return list(
        await session.scalars(
            select(BreakoutGroup)
            .where(BreakoutGroup.breakout_id == breakout_id)
            .order_by(BreakoutGroup.number)
        )
    )


async def breakout_view(session: AsyncSession, breakout: Breakout) -> dict[str, Any]:
    groups = await _group_rows(session, breakout.id)
    rows = (
        await session.execute(
            select(BreakoutMember.lecture_id, User.id, User.display_name)
            .join(User, User.id == BreakoutMember.user_id)
            .where(BreakoutMember.breakout_id == breakout.id)
            .order_by(User.display_name, User.id)
        )
    ).all()
    members: dict[int, list[dict[str, Any]]] = {}
    for child, user_id, name in rows:
        members.setdefault(child, []).append({"user_id": user_id, "name": name})
    return {
        "id": breakout.id,
        "lecture_id": breakout.lecture_id,
        "mode": breakout.mode,
        "record": breakout.record,
        "ends_at": iso(breakout.ends_at),
        "notice": breakout.notice,
        "groups": [
            {
                "number": g.number,
                "name": g.name,
                "lecture_id": g.lecture_id,
                "members": members.get(g.lecture_id, []),
            }
            for g in groups
        ],
    }


def _short(group: dict[str, Any]) -> dict[str, Any]:
    return {k: group[k] for k in ("number", "name", "lecture_id")}


def _find(view: dict[str, Any], child_id: int) -> dict[str, Any]:
    return next(g for g in view["groups"] if g["lecture_id"] == child_id)


async def state(ctx: RoomContext, you: Actor) -> dict[str, Any] | None:
    """``room:state``'s ``breakout``: the running breakout of this lecture or of the lecture
    this group room belongs to, the group that is ``you``rs and the one this room is."""
    async with ctx.database.session() as session:
        breakout = await running(session, ctx.lecture_id)
        if breakout is None:
            return None
        view = await breakout_view(session, breakout)
    mine = next(
        (g for g in view["groups"] if any(m["user_id"] == you.user_id for m in g["members"])),
        None,
    )
    here = next((g for g in view["groups"] if g["lecture_id"] == ctx.lecture_id), None)
    view["yours"] = _short(mine) if mine else None
    view["here"] = _short(here) if here else None
    return view
