"""Recording control as room rules: the operations say what the recorder must do as typed
effects (nothing outside the room reads event names), and the automatic choice is kept on
the lecture itself (real SQLite; the room store in memory, as on one machine)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from classroom_server.db import Course, Database, Lecture, LectureStatus, User, upgrade
from classroom_server.room import participants, recording
from classroom_server.room.context import Actor, RoomContext
from classroom_server.room.outcome import LectureEnded, RoomError, StartRecording, StopRecording
from classroom_server.room.payloads import Empty, RecordingAuto
from classroom_server.room.store import MemoryRoomStore


@pytest.fixture
async def educator(ctx: RoomContext) -> Actor:
    async with ctx.database.session() as session:
        user = User(username="huda", password_hash="-", display_name="Dr. Huda", role="educator")
        session.add(user)
        await session.commit()
    return Actor(user.id, user.display_name, "educator")


@pytest.fixture
async def ctx(tmp_path: Path) -> AsyncIterator[RoomContext]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}")
    await upgrade(database)
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
    await database.close()


async def test_start_and_stop_are_effects_beside_the_events(
    ctx: RoomContext, educator: Actor
) -> None:
    started = await recording.start(ctx, educator, Empty())
    assert started.effects == [StartRecording()]
    assert [e.event for e in started.emits] == ["recording:state"]
    stopped = await recording.stop(ctx, educator, Empty())
    assert stopped.effects == [StopRecording()]


async def test_ending_the_lecture_finishes_its_recording(ctx: RoomContext, educator: Actor) -> None:
    ended = await participants.end(ctx, educator, Empty())
    assert ended.effects == [LectureEnded()]
    with pytest.raises(RoomError):  # and nothing more can be recorded
        await recording.start(ctx, educator, Empty())


async def test_the_automatic_choice_is_kept_on_the_lecture(
    ctx: RoomContext, educator: Actor
) -> None:
    outcome = await recording.automatic(ctx, educator, RecordingAuto(enabled=True))
    assert outcome.effects == []  # nothing to do now: it applies when someone joins
    async with ctx.database.session() as session:
        lecture = await session.get(Lecture, ctx.lecture_id)
        assert lecture is not None and lecture.record_automatically
    await recording.automatic(ctx, educator, RecordingAuto(enabled=False))
    async with ctx.database.session() as session:
        lecture = await session.get(Lecture, ctx.lecture_id)
        assert lecture is not None and not lecture.record_automatically
