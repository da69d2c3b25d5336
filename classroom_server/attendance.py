"""Attendance and participation: who was in a lecture, for how long, and what they did there.

Presence is kept as intervals (``PresenceInterval``): the room opens one when a user's first
connection arrives and closes it when their last one goes, so several tabs or devices make one
interval, and a reconnect makes a second one that the summary merges with the first: however
often someone drops and comes back, they attended once. An interval a crashed process left open
is closed when the lecture ends, counted no further than the lecture's end while it stays open,
and never longer than ``MAX_OPEN``.

Talk time and raised hands are counted here (``ParticipationTally``); chat messages and poll
answers are counted from the rows the room already keeps.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import (
    ChatMessage,
    CourseRole,
    Database,
    Enrolment,
    Lecture,
    LectureStatus,
    ParticipationTally,
    Poll,
    PollVote,
    PresenceInterval,
    User,
    add_unique,
)

log = logging.getLogger(__name__)
MAX_OPEN = timedelta(hours=12)
"""The longest an interval nobody closed counts (a process that died with people in it)."""
LATE_AFTER = timedelta(minutes=5)
"""A first join this long after the lecture went live is a late join."""
FLUSH_SECONDS = 5.0
"""How often heard talk time is written: a handful of rows per lecture every few seconds."""
MAX_LISTED = 100
"""Joins and leaves listed per user and lecture (all are counted; a flapping link could make
thousands)."""
MAX_COURSE_LECTURES = 500
"""A course's view reads at most this many held lectures (the most recent)."""

Span = tuple[datetime, datetime]


# -- recording presence --------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(UTC)


async def joined(
    database: Database, lecture_id: int, user_id: int, at: datetime | None = None
) -> None:
    """The user's first connection to the room: open an interval. One a crash left open is
    closed first (at this moment, or ``MAX_OPEN`` after it began), so at most one is open."""
    at = at or _now()
    async with database.session() as session:
        await _close(session, lecture_id, user_id, at)
        session.add(PresenceInterval(lecture_id=lecture_id, user_id=user_id, joined_at=at))
        await session.commit()


async def left(
    database: Database, lecture_id: int, user_id: int, at: datetime | None = None
) -> None:
    """The user's last connection to the room closed."""
    async with database.session() as session:
        await _close(session, lecture_id, user_id, at or _now())
        await session.commit()


async def _close(session: AsyncSession, lecture_id: int, user_id: int | None, at: datetime) -> None:
    query = select(PresenceInterval).where(
        PresenceInterval.lecture_id == lecture_id, PresenceInterval.left_at.is_(None)
    )
    if user_id is not None:
        query = query.where(PresenceInterval.user_id == user_id)
    for interval in await session.scalars(query):
        interval.left_at = max(interval.joined_at, min(at, interval.joined_at + MAX_OPEN))


async def lecture_closed(database: Database, lecture_id: int) -> None:
    """The lecture ended: close every interval still open (those of a process that died, and
    any disconnect not yet handled) at the lecture's end."""
    async with database.session() as session:
        lecture = await session.get(Lecture, lecture_id)
        if lecture is None:
            return
        await _close(session, lecture_id, None, lecture.ended_at or _now())
        await session.commit()


# -- participation counters ----------------------------------------------------------------


async def _add(
    database: Database, lecture_id: int, user_id: int, talk: float = 0.0, hands: int = 0
) -> None:
    """Adds to the user's tally in one statement (an insert the first time); the database does
    the arithmetic, so two processes adding at once both count."""
    values = {
        "talk_seconds": ParticipationTally.talk_seconds + talk,
        "hands_raised": ParticipationTally.hands_raised + hands,
    }
    where = (ParticipationTally.lecture_id == lecture_id, ParticipationTally.user_id == user_id)
    async with database.session() as session:
        for _attempt in range(2):
            result = await session.execute(update(ParticipationTally).where(*where).values(values))
            if result.rowcount:  # type: ignore[attr-defined]
                break
            row = ParticipationTally(
                lecture_id=lecture_id, user_id=user_id, talk_seconds=talk, hands_raised=hands
            )
            if await add_unique(session, row):
                break
        await session.commit()


async def hand_raised(database: Database, lecture_id: int, user_id: int) -> None:
    await _add(database, lecture_id, user_id, hands=1)


class TalkTally:
    """Talk seconds heard in one lecture and not yet written: the speaker detection adds to it
    per window, and ``run`` writes it every ``FLUSH_SECONDS`` (and ``flush`` at a leave or the
    lecture's close), so the database sees a few writes per lecture, never one per packet."""

    def __init__(self, database: Database, lecture_id: int) -> None:
        self._database = database
        self._lecture_id = lecture_id
        self._pending: dict[int, float] = defaultdict(float)

    def add(self, user_id: int, seconds: float) -> None:
        self._pending[user_id] += seconds

    async def flush(self, user_id: int | None = None) -> None:
        """Writes what is pending (one user's, or everyone's); what fails to be written stays
        pending for the next flush rather than failing the caller (a leave, a close)."""
        users = [user_id] if user_id is not None else list(self._pending)
        for user in users:
            seconds = self._pending.pop(user, 0.0)
            if seconds <= 0:
                continue
            try:
                await _add(self._database, self._lecture_id, user, talk=seconds)
            except Exception:
                log.warning("lecture %s: talk time unwritten", self._lecture_id, exc_info=True)
                self._pending[user] += seconds

    async def run(self, every: float = FLUSH_SECONDS) -> None:
        while True:
            await asyncio.sleep(every)
            await self.flush()


# -- summaries -----------------------------------------------------------------------------


def merge(spans: Iterable[Span]) -> list[Span]:
    """Overlapping or touching spans (two tabs, a reconnect) as one."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def span_of(interval: PresenceInterval, lecture: Lecture, now: datetime) -> Span:
    """The interval as counted: an open one runs to now (live) or to the lecture's end, and
    none counts beyond the end or ``MAX_OPEN``."""
    end = interval.left_at or now
    if lecture.ended_at is not None:
        end = min(end, lecture.ended_at)
    end = min(end, interval.joined_at + MAX_OPEN)
    return interval.joined_at, max(interval.joined_at, end)


@dataclass
class Presence:
    """One user's presence in one lecture, merged."""

    first_join: datetime
    last_leave: datetime | None
    present_seconds: float
    joins: int
    late: bool
    here_now: bool
    stays: list[tuple[datetime, datetime | None]]
    """Each join and its leave (None: still there), in order, at most ``MAX_LISTED``."""


def presence_of(intervals: Sequence[PresenceInterval], lecture: Lecture, now: datetime) -> Presence:
    spans = merge(span_of(i, lecture, now) for i in intervals)
    live = lecture.status == LectureStatus.LIVE.value
    open_now = live and any(i.left_at is None for i in intervals)
    first = min(i.joined_at for i in intervals)
    return Presence(
        first_join=first,
        last_leave=None if open_now else spans[-1][1],
        present_seconds=sum((end - start).total_seconds() for start, end in spans),
        joins=len(intervals),
        late=lecture.started_at is not None and first > lecture.started_at + LATE_AFTER,
        here_now=open_now,
        stays=[(i.joined_at, i.left_at) for i in sorted(intervals, key=lambda i: i.joined_at)][
            :MAX_LISTED
        ],
    )


@dataclass
class Participation:
    talk_seconds: float = 0.0
    chat_messages: int = 0
    hands_raised: int = 0
    poll_answers: int = 0


@dataclass
class AttendanceRow:
    """One participant of one lecture (an enrolled student who never came has no presence)."""

    user_id: int
    username: str
    name: str
    role: str
    presence: Presence | None
    participation: Participation = field(default_factory=Participation)

    @property
    def attended(self) -> bool:
        return self.presence is not None


Key = tuple[int, int]  # (lecture id, user id)


async def _participation(
    session: AsyncSession, lecture_ids: list[int], user_id: int | None
) -> dict[Key, Participation]:
    """Talk, hands, chat and poll answers per lecture and user, in three grouped queries."""
    found: dict[Key, Participation] = defaultdict(Participation)
    tallies = select(ParticipationTally).where(ParticipationTally.lecture_id.in_(lecture_ids))
    chats = (
        select(ChatMessage.lecture_id, ChatMessage.sender_id, func.count())
        .where(ChatMessage.lecture_id.in_(lecture_ids), ChatMessage.deleted.is_(False))
        .group_by(ChatMessage.lecture_id, ChatMessage.sender_id)
    )
    votes = (
        select(Poll.lecture_id, PollVote.user_id, func.count())
        .join(Poll, Poll.id == PollVote.poll_id)
        .where(Poll.lecture_id.in_(lecture_ids))
        .group_by(Poll.lecture_id, PollVote.user_id)
    )
    if user_id is not None:
        tallies = tallies.where(ParticipationTally.user_id == user_id)
        chats = chats.where(ChatMessage.sender_id == user_id)
        votes = votes.where(PollVote.user_id == user_id)
    for tally in await session.scalars(tallies):
        entry = found[(tally.lecture_id, tally.user_id)]
        entry.talk_seconds, entry.hands_raised = tally.talk_seconds, tally.hands_raised
    for lecture_id, sender, count in (await session.execute(chats)).all():
        found[(lecture_id, sender)].chat_messages = count
    for lecture_id, voter, count in (await session.execute(votes)).all():
        found[(lecture_id, voter)].poll_answers = count
    return found


async def _presences(
    session: AsyncSession, lectures: Mapping[int, Lecture], user_id: int | None
) -> dict[Key, Presence]:
    query = select(PresenceInterval).where(PresenceInterval.lecture_id.in_(list(lectures)))
    if user_id is not None:
        query = query.where(PresenceInterval.user_id == user_id)
    grouped: dict[Key, list[PresenceInterval]] = defaultdict(list)
    for interval in await session.scalars(query):
        grouped[(interval.lecture_id, interval.user_id)].append(interval)
    now = _now()
    return {
        key: presence_of(intervals, lectures[key[0]], now) for key, intervals in grouped.items()
    }


async def _people(
    session: AsyncSession, course_id: int, extra: Iterable[int], user_id: int | None
) -> list[tuple[User, str]]:
    """The course's members and anyone else who was there (an admin, a guest the lobby let
    in), with their role in the course, by name."""
    members = select(User, Enrolment.role).join(Enrolment, Enrolment.user_id == User.id)
    members = members.where(Enrolment.course_id == course_id)
    if user_id is not None:
        members = members.where(User.id == user_id)
    people = {user.id: (user, role) for user, role in (await session.execute(members)).all()}
    others = set(extra) - set(people)
    if others:
        for user in await session.scalars(select(User).where(User.id.in_(others))):
            people[user.id] = (user, _outsider_role(user))
    return sorted(people.values(), key=lambda p: (p[0].display_name.casefold(), p[0].id))


def _outsider_role(user: User) -> str:
    if user.role == "admin":
        return CourseRole.EDUCATOR.value
    return "guest" if user.guest_lecture_id is not None else ""


async def lecture_attendance(
    session: AsyncSession, lecture: Lecture, user_id: int | None = None
) -> list[AttendanceRow]:
    """Everyone of the lecture's course (or only ``user_id``): an office hour lists who was
    there and its student; a lecture lists every member, present or not."""
    presences = await _presences(session, {lecture.id: lecture}, user_id)
    participation = await _participation(session, [lecture.id], user_id)
    attended = {user for _lecture, user in presences}
    rows = []
    for user, role in await _people(session, lecture.course_id, attended, user_id):
        if lecture.private_to not in (None, user.id) and user.id not in attended:
            continue
        key = (lecture.id, user.id)
        rows.append(
            AttendanceRow(
                user.id,
                user.username,
                user.display_name,
                role,
                presences.get(key),
                participation.get(key, Participation()),
            )
        )
    return rows


@dataclass
class CourseAttendanceRow:
    """One student across a course's held lectures."""

    user_id: int
    username: str
    name: str
    lectures_attended: int
    lectures_total: int
    present_seconds: float
    participation: Participation


async def held_lectures(session: AsyncSession, course_id: int) -> list[Lecture]:
    """The course's lectures that went live (not office hours), most recent last."""
    query = (
        select(Lecture)
        .where(
            Lecture.course_id == course_id,
            Lecture.private_to.is_(None),
            Lecture.started_at.is_not(None),
        )
        .order_by(Lecture.started_at.desc(), Lecture.id.desc())
        .limit(MAX_COURSE_LECTURES)
    )
    return list(reversed(list(await session.scalars(query))))


async def course_attendance(
    session: AsyncSession, course_id: int, user_id: int | None = None
) -> tuple[list[CourseAttendanceRow], int]:
    """Per student of the course (or only ``user_id``), summed over the held lectures; and
    how many lectures were held."""
    lectures = {lecture.id: lecture for lecture in await held_lectures(session, course_id)}
    presences = await _presences(session, lectures, user_id) if lectures else {}
    participation = await _participation(session, list(lectures), user_id) if lectures else {}
    rows = []
    for user, role in await _people(session, course_id, (), user_id):
        if role != CourseRole.STUDENT.value:
            continue
        mine = [p for (_lec, u), p in presences.items() if u == user.id]
        total = Participation()
        for (_lec, u), part in participation.items():
            if u == user.id:
                total.talk_seconds += part.talk_seconds
                total.chat_messages += part.chat_messages
                total.hands_raised += part.hands_raised
                total.poll_answers += part.poll_answers
        rows.append(
            CourseAttendanceRow(
                user.id,
                user.username,
                user.display_name,
                len(mine),
                len(lectures),
                sum(p.present_seconds for p in mine),
                total,
            )
        )
    return rows, len(lectures)
