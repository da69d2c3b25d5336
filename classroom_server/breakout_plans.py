"""Breakout groups prepared before the lecture (used by ``room.breakout``), and the record of
past breakouts.

A plan is checked when it is saved and again when it is used: students may have left the
course in between. The past breakouts list each group with its members and its child
lecture, whose chat and whiteboard the lecture records routes already serve.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import (
    Breakout,
    BreakoutGroup,
    BreakoutMember,
    BreakoutPlan,
    CourseRole,
    Enrolment,
    User,
)
from classroom_server.room.breakout import NotEnrolled, check_students, load_plan
from classroom_server.room.payloads import BreakoutGroupPlan

MAX_LISTED = 50
"""Past breakouts of one lecture listed at most (newest first)."""
MAX_STUDENTS = 2000
"""Students of the course offered to a plan's editor at most (by name)."""


async def course_students(session: AsyncSession, course_id: int) -> list[dict[str, Any]]:
    """Whom a plan may place: the course's students, by name."""
    rows = await session.execute(
        select(User.id, User.display_name)
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(Enrolment.course_id == course_id, Enrolment.role == CourseRole.STUDENT.value)
        .order_by(User.display_name, User.id)
        .limit(MAX_STUDENTS)
    )
    return [{"user_id": user_id, "name": name} for user_id, name in rows.tuples()]


async def save_plan(
    session: AsyncSession, lecture_id: int, course_id: int, groups: list[BreakoutGroupPlan]
) -> BreakoutPlan:
    await check_students(session, course_id, [u for g in groups for u in g.user_ids])
    plan = await session.get(BreakoutPlan, lecture_id)
    stored = [g.model_dump() for g in groups]
    if plan is None:
        plan = BreakoutPlan(lecture_id=lecture_id, groups=stored)
        session.add(plan)
    else:
        plan.groups = stored
    await session.flush()
    return plan


async def past_breakouts(session: AsyncSession, lecture_id: int) -> list[dict[str, Any]]:
    """Every breakout of the lecture with its groups and members, newest first."""
    breakouts = list(
        await session.scalars(
            select(Breakout)
            .where(Breakout.lecture_id == lecture_id)
            .order_by(Breakout.id.desc())
            .limit(MAX_LISTED)
        )
    )
    ids = [b.id for b in breakouts]
    groups = list(
        await session.scalars(
            select(BreakoutGroup)
            .where(BreakoutGroup.breakout_id.in_(ids))
            .order_by(BreakoutGroup.number)
        )
    )
    members = (
        await session.execute(
            select(BreakoutMember.lecture_id, User.id, User.display_name)
            .join(User, User.id == BreakoutMember.user_id)
            .where(BreakoutMember.breakout_id.in_(ids))
            .order_by(User.display_name, User.id)
        )
    ).all()
    by_group: dict[int, list[dict[str, Any]]] = {}
    for child, user_id, name in members:
        by_group.setdefault(child, []).append({"user_id": user_id, "name": name})
    return [
        {
            "id": b.id,
            "mode": b.mode,
            "record": b.record,
            "started_at": b.started_at,
            "ends_at": b.ends_at,
            "ended_at": b.ended_at,
            "groups": [
                {
                    "number": g.number,
                    "name": g.name,
                    "lecture_id": g.lecture_id,
                    "members": by_group.get(g.lecture_id, []),
                }
                for g in groups
                if g.breakout_id == b.id
            ],
        }
        for b in breakouts
    ]


__all__ = ["NotEnrolled", "course_students", "load_plan", "past_breakouts", "save_plan"]
