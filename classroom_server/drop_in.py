"""Drop-in office hours: a queue in arrival order, admitted one at a time into a private room;
who may run a queue, and where a student stands in it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, cast

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import DropIn, DropInEntry, Lecture, Role, User, add_unique
from classroom_server.db.paging import paginate, paginate_rows
from classroom_server.office_hours import NotAllowed, NotFound

MEETING_MINUTES = 30
QueueState = Literal["waiting", "admitted", "left", "none"]
RUN_BY = "Only the educator who opened it (or an admin) runs this queue"


class DropInError(Exception):
    """The queue cannot do this now (it has closed, nobody waits); ``code`` says which, and the
    message is what the page shows."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Waiting:
    """Someone in the queue as its educator sees them: 1 is admitted next."""

    student_id: int
    name: str
    place: int


@dataclass(frozen=True)
class QueuePlace:
    """Where a student stands: their place while waiting, their room once admitted."""

    state: QueueState
    place: int | None
    lecture_id: int | None


def _waiting(drop_in_id: int) -> Select[DropInEntry, User]:
    """Who waits, in arrival order."""
    return (
        select(DropInEntry, User)
        .join(User, User.id == DropInEntry.student_id)
        .where(DropInEntry.drop_in_id == drop_in_id, DropInEntry.state == "waiting")
        .order_by(DropInEntry.id)
    )


async def start_drop_in(session: AsyncSession, educator: User, course_id: int) -> DropIn:
    """Opens drop-in hours now, run by ``educator`` (the caller has checked they teach it)."""
    drop_in = DropIn(educator_id=educator.id, course_id=course_id)
    session.add(drop_in)
    await session.commit()
    return drop_in


async def open_drop_ins(
    session: AsyncSession, course_id: int, limit: int, offset: int
) -> tuple[list[DropIn], int]:
    """A page of the course's open drop-in hours, oldest first, and how many are open."""
    query = select(DropIn).where(DropIn.course_id == course_id, DropIn.open.is_(True))
    return await paginate(session, query.order_by(DropIn.id), limit, offset)


async def drop_in_for(session: AsyncSession, user: User, drop_in_id: int, *, run: bool) -> DropIn:
    """The drop-in, for a user of its course (the caller's course gate decides that); ``run``
    for what only the educator who opened it, or an admin, may do with its queue."""
    drop_in = await session.get(DropIn, drop_in_id)
    if drop_in is None:
        raise NotFound(f"drop-in {drop_in_id}")
    if run and drop_in.educator_id != user.id and user.role != Role.ADMIN:
        raise NotAllowed(RUN_BY)
    return drop_in


async def waiting_page(
    session: AsyncSession, drop_in: DropIn, limit: int, offset: int
) -> tuple[list[Waiting], int]:
    """A page of who waits, in arrival order, and how many wait in all."""
    rows, total = await paginate_rows(session, _waiting(drop_in.id), limit, offset)
    page = [
        Waiting(student_id=student.id, name=student.display_name, place=offset + i + 1)
        for i, (_, student) in enumerate(rows)
    ]
    return page, total


async def enter(session: AsyncSession, drop_in: DropIn, student: User) -> QueuePlace:
    """Joins the queue of open drop-in hours; joining twice keeps the first place."""
    if not drop_in.open:
        raise DropInError("closed", "The drop-in office hours have closed")
    if await add_unique(session, DropInEntry(drop_in_id=drop_in.id, student_id=student.id)):
        await session.commit()
    return await place_of(session, drop_in, student)


async def place_of(session: AsyncSession, drop_in: DropIn, student: User) -> QueuePlace:
    """Where the student stands in the queue now (by their latest entry: a student admitted
    or sent away may have queued again)."""
    entry = await session.scalar(
        select(DropInEntry)
        .where(DropInEntry.drop_in_id == drop_in.id, DropInEntry.student_id == student.id)
        .order_by(DropInEntry.id.desc())
        .limit(1)
    )
    if entry is None:
        return QueuePlace(state="none", place=None, lecture_id=None)
    place = await _place(session, entry) if entry.state == "waiting" else None
    state = cast(QueueState, entry.state)  # the table's check constraint allows no other
    return QueuePlace(state=state, place=place, lecture_id=entry.lecture_id)


async def _place(session: AsyncSession, entry: DropInEntry) -> int:
    """1 for the next to be admitted."""
    ahead = await session.scalar(
        select(func.count()).where(
            DropInEntry.drop_in_id == entry.drop_in_id,
            DropInEntry.state == "waiting",
            DropInEntry.id < entry.id,
        )
    )
    return (ahead or 0) + 1


async def admit_next(session: AsyncSession, drop_in: DropIn) -> DropInEntry:
    """Admits the head of the queue into a private meeting room.

    Claims it with a conditional update, so two clicks admit two people; reads the head a few
    at a time: those another click claimed meanwhile leave the queue."""
    while head := (await session.execute(_waiting(drop_in.id).limit(4))).all():
        for entry, student in head:
            if await _claim(session, drop_in, entry, student):
                return entry
    raise DropInError("queue_empty", "Nobody is waiting")


async def _claim(session: AsyncSession, drop_in: DropIn, entry: DropInEntry, student: User) -> bool:
    claimed = await session.execute(
        update(DropInEntry)
        .where(DropInEntry.id == entry.id, DropInEntry.state == "waiting")
        .values(state="admitted")
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return False
    meeting = Lecture(
        course_id=drop_in.course_id,
        title=f"Office hour: {student.display_name}",
        scheduled_start=datetime.now(UTC),
        duration_minutes=MEETING_MINUTES,
        private_to=student.id,
    )
    session.add(meeting)
    await session.flush()
    entry.lecture_id, entry.state = meeting.id, "admitted"
    await session.commit()
    return True


async def close(session: AsyncSession, drop_in: DropIn) -> None:
    """Closes the drop-in; whoever still waits leaves the queue (their page says it closed)."""
    drop_in.open = False
    await session.execute(
        update(DropInEntry)
        .where(DropInEntry.drop_in_id == drop_in.id, DropInEntry.state == "waiting")
        .values(state="left")
    )
    await session.commit()
