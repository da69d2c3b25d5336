"""Recording control as room rules: the operations say what the recorder must do as typed
effects (nothing outside the room reads event names), and the automatic choice is kept on
the lecture itself (real SQLite; the room store in memory, as on one machine)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from classroom_server.db import Lecture, User
from classroom_server.room import participants, recording
from classroom_server.room.context import Actor, RoomContext
from classroom_server.room.outcome import LectureEnded, RoomError, StartRecording, StopRecording
from classroom_server.room.payloads import Empty, RecordingAuto
from tests.room_domain import live_lecture_context


@pytest.fixture
async def educator(ctx: RoomContext) -> Actor:
    async with ctx.database.session() as session:
        user = User(username="huda", password_hash="-", display_name="Dr. Huda", role="educator")
        session.add(user)
        await session.commit()
    return Actor(user.id, user.display_name, "educator")


@pytest.fixture
async def ctx(tmp_path: Path) -> AsyncIterator[RoomContext]:
    async with live_lecture_context(tmp_path) as ctx:
        yield ctx


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
