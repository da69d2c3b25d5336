"""Drop-in office hours: a queue in arrival order, admitted one at a time into a private room."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import DropIn, DropInEntry, Lecture, User, add_unique
from classroom_server.db.paging import count_rows, paginate

MEETING_MINUTES = 30


def _waiting(drop_in_id: int) -> Select[DropInEntry, User]:
    return (
        select(DropInEntry, User)
        .join(User, User.id == DropInEntry.student_id)
        .where(DropInEntry.drop_in_id == drop_in_id, DropInEntry.state == "waiting")
    )


async def open_drop_ins(
    session: AsyncSession, course_id: int, limit: int, offset: int
) -> tuple[list[DropIn], int]:
    """A page of the course's open drop-in hours, oldest first, and how many are open."""
    query = select(DropIn).where(DropIn.course_id == course_id, DropIn.open.is_(True))
    return await paginate(session, query.order_by(DropIn.id), limit, offset)


async def queue(
    session: AsyncSession, drop_in_id: int, limit: int | None = None, offset: int = 0
) -> list[tuple[DropInEntry, User]]:
    """Who waits, in arrival order; ``limit``/``offset`` for a page of a long queue."""
    query = _waiting(drop_in_id).order_by(DropInEntry.id).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    rows = await session.execute(query)
    return [(entry, user) for entry, user in rows.tuples()]


async def queue_length(session: AsyncSession, drop_in_id: int) -> int:
    return await count_rows(session, _waiting(drop_in_id))


async def enter(session: AsyncSession, drop_in: DropIn, student: User) -> DropInEntry:
    """Joining twice keeps the first place in the queue."""
    entry = DropInEntry(drop_in_id=drop_in.id, student_id=student.id)
    if not await add_unique(session, entry):
        existing = await session.scalar(
            select(DropInEntry).where(
                DropInEntry.drop_in_id == drop_in.id,
                DropInEntry.student_id == student.id,
                DropInEntry.state == "waiting",
            )
        )
        assert existing is not None
        return existing
    await session.commit()
    return entry


async def latest_entry(
    session: AsyncSession, drop_in_id: int, student_id: int
) -> DropInEntry | None:
    entry: DropInEntry | None = await session.scalar(
        select(DropInEntry)
        .where(DropInEntry.drop_in_id == drop_in_id, DropInEntry.student_id == student_id)
        .order_by(DropInEntry.id.desc())
        .limit(1)
    )
    return entry


async def place(session: AsyncSession, entry: DropInEntry) -> int:
    """1 for the next to be admitted."""
    ahead = await session.scalar(
        select(func.count()).where(
            DropInEntry.drop_in_id == entry.drop_in_id,
            DropInEntry.state == "waiting",
            DropInEntry.id < entry.id,
        )
    )
    return (ahead or 0) + 1


async def admit_next(session: AsyncSession, drop_in: DropIn) -> DropInEntry | None:
    """Claims the head of the queue with a conditional update, so two clicks admit two people.

    Reads the head a few at a time: those another click claimed meanwhile leave the queue."""
    while head := await queue(session, drop_in.id, limit=4):
        for entry, student in head:
            if await _claim(session, drop_in, entry, student):
                return entry
    return None


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
    drop_in.open = False
    await session.execute(
        update(DropInEntry)
        .where(DropInEntry.drop_in_id == drop_in.id, DropInEntry.state == "waiting")
        .values(state="left")
    )
    await session.commit()
