"""Which lectures are live now in a user's courses: the dashboard's "live now", so a student
abroad who opens the site mid-lecture finds the room without searching course by course."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import Course, Enrolment, Lecture, LectureStatus, User
from classroom_server.db.breakout_models import not_a_group_room

LIMIT = 50


async def live_for(session: AsyncSession, user: User) -> list[tuple[Lecture, Course]]:
    """Live lectures of the courses ``user`` is enrolled in (not office hours: their two
    parties have the booking), the latest started first."""
    courses = select(Enrolment.course_id).where(Enrolment.user_id == user.id)
    rows = await session.execute(
        select(Lecture, Course)
        .join(Course, Course.id == Lecture.course_id)
        .where(
            Lecture.status == LectureStatus.LIVE.value,
            Lecture.private_to.is_(None),
            not_a_group_room(),
            Lecture.course_id.in_(courses),
        )
        .order_by(Lecture.started_at.desc(), Lecture.id)
        .limit(LIMIT)
    )
    return [(lecture, course) for lecture, course in rows]
