"""Mail owed by time passing rather than by a request: a booking's reminder, a lecture that went
live, a recording that became ready (on whichever worker processed it).

Every server process looks every few seconds; the one whose ``MailAnnouncement`` insert wins
writes the mail, in the same transaction, so each goes once. Only what happened recently is
announced: a server that was down for an hour does not mail an hour-old "live now".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.selectable import Exists

from classroom_server import booking_mail
from classroom_server.db import (
    Booking,
    Course,
    CourseRole,
    Enrolment,
    Lecture,
    LectureStatus,
    MailAnnouncement,
    User,
    Video,
    add_unique,
)
from classroom_server.db.breakout_models import not_a_group_room
from classroom_server.mail_outbox import enqueue
from classroom_server.mail_text import letter

LIVE_WITHIN = timedelta(minutes=15)
READY_WITHIN = timedelta(days=1)
BATCH = 50
"""Announcements handled per look: a backlog drains over several looks."""


@dataclass(frozen=True)
class Announcer:
    site: str
    reminder: timedelta
    """How long before a booking its reminder goes; zero: none."""

    async def once(self, session: AsyncSession, now: datetime) -> None:
        if self.reminder:
            await self._reminders(session, now)
        await self._lectures_live(session, now)
        await self._recordings_ready(session, now)

    async def _reminders(self, session: AsyncSession, now: datetime) -> None:
        due = await session.scalars(
            select(Booking)
            .where(
                Booking.status == "booked",
                Booking.starts_at > now,
                Booking.starts_at <= now + self.reminder,
                ~_announced("reminder", Booking.id),
            )
            .limit(BATCH)
        )
        for booking in list(due):
            # One made inside the window was just confirmed: its claim says "owed nothing".
            news = booking.created_at <= booking.starts_at - self.reminder
            if await _claim(session, "reminder", booking.id) and news:
                await booking_mail.reminded(session, booking, self.site)
            await session.commit()

    async def _lectures_live(self, session: AsyncSession, now: datetime) -> None:
        live = await session.execute(
            select(Lecture, Course)
            .join(Course, Course.id == Lecture.course_id)
            .where(
                Lecture.status == LectureStatus.LIVE.value,
                Lecture.private_to.is_(None),  # an office hour's two know already
                not_a_group_room(),  # its students are in the lecture already
                Lecture.started_at > now - LIVE_WITHIN,
                ~_announced("live", Lecture.id),
            )
            .limit(BATCH)
        )
        for lecture, course in live.all():
            if await _claim(session, "live", lecture.id):
                url = f"{self.site}/lectures/{lecture.id}"
                for user in await _members(session, course.id, CourseRole.STUDENT):
                    subject, body = letter(
                        user, "live", title=lecture.title, course=course.title, url=url
                    )
                    enqueue(session, user.email, subject, body)
            await session.commit()

    async def _recordings_ready(self, session: AsyncSession, now: datetime) -> None:
        ready = await session.execute(
            select(Video, Course)
            .join(Course, Course.id == Video.course_id)
            .where(
                Video.status == "ready",
                Video.lecture_id.is_not(None),
                Video.created_at > now - READY_WITHIN,
                ~_announced("recording", Video.id),
            )
            .limit(BATCH)
        )
        for video, course in ready.all():
            if await _claim(session, "recording", video.id):
                url = f"{self.site}/videos/{video.id}"
                for user in await _watchers(session, video):
                    subject, body = letter(
                        user, "recording", title=video.title, course=course.title, url=url
                    )
                    enqueue(session, user.email, subject, body)
            await session.commit()


def _announced(kind: str, subject_id: InstrumentedAttribute[int]) -> Exists:
    return (
        select(MailAnnouncement.id)
        .where(MailAnnouncement.kind == kind, MailAnnouncement.subject_id == subject_id)
        .exists()
    )


async def _claim(session: AsyncSession, kind: str, subject_id: int) -> bool:
    return await add_unique(session, MailAnnouncement(kind=kind, subject_id=subject_id))


async def _members(
    session: AsyncSession, course_id: int, role: CourseRole | None = None
) -> list[User]:
    query = (
        select(User)
        .join(Enrolment, Enrolment.user_id == User.id)
        .where(Enrolment.course_id == course_id, User.email.is_not(None), ~User.disabled)
    )
    if role is not None:
        query = query.where(Enrolment.role == role.value)
    return list(await session.scalars(query))


async def _watchers(session: AsyncSession, video: Video) -> list[User]:
    """Who may watch it: the course for a course or public video, else its owner."""
    if video.visibility != "private":
        return await _members(session, video.course_id)
    owner = await session.get(User, video.owner_id) if video.owner_id else None
    return [owner] if owner is not None and owner.email and not owner.disabled else []
