"""A live lecture's room context on a real SQLite database, with the room store in memory (as
on one machine): for tests of the room's rules without a server."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

from classroom_server.db import Course, Database, Lecture, LectureStatus, upgrade
from classroom_server.room.context import RoomContext
from classroom_server.room.store import MemoryRoomStore


@contextlib.asynccontextmanager
async def live_lecture_context(tmp_path: Path) -> AsyncIterator[RoomContext]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}")
    await upgrade(database)
    try:
        async with database.session() as session:
            course = Course(code="C1", title="Course")
            session.add(course)
            await session.flush()
            lecture = Lecture(
                course_id=course.id,
                title="Week 1",
                scheduled_start=datetime.now(UTC),
                status=LectureStatus.LIVE.value,
            )
            session.add(lecture)
            await session.commit()
        yield RoomContext(lecture.id, database, MemoryRoomStore())
    finally:
        await database.close()
