"""Handing a recording to the library: one video per recording, however often it is retried."""

from __future__ import annotations

import fcntl
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from classroom_server.db import Course, Database, Lecture, Video, VodJob, upgrade
from recording.directory import RecordingDirectory
from recording.handoff import hand_off
from vod.jobs import JobQueue
from vod.recording_manifest import load_manifest
from vod.storage import VideoStorage


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}")
    await upgrade(database)
    yield database
    await database.close()


async def test_a_recording_becomes_one_video_and_one_job(
    database: Database, tmp_path: Path
) -> None:
    async with database.session() as session:
        course = Course(code="R1", title="Recorded course")
        session.add(course)
        await session.flush()
        lecture = Lecture(course_id=course.id, title="Week 3", scheduled_start=datetime.now(UTC))
        session.add(lecture)
        await session.commit()
    queue = JobQueue(database)

    empty = RecordingDirectory.create(tmp_path, lecture.id, course.id, "Week 3")
    assert await hand_off(database, queue.enqueue, empty) is None  # started, nothing published
    assert empty.read_state()["state"] == "empty"

    recorded = RecordingDirectory.create(tmp_path, lecture.id, course.id, "Week 3")
    track = recorded.new_track_dir({"kind": "video", "codec": "h264"})
    (track / "001-00001.mkv").write_bytes(b"\x1a\x45\xdf\xa3")  # only its size matters here
    with (recorded.path / "handoff.lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # another process is handing it off right now
        assert await hand_off(database, queue.enqueue, recorded) is None
    video_id = await hand_off(database, queue.enqueue, recorded)
    assert video_id is not None
    assert recorded.read_state()["state"] == "handed_off"
    assert recorded.read_state()["video_id"] == video_id
    # The library was told what to process, in its own storage, before the job was queued.
    manifest = load_manifest(VideoStorage(tmp_path), video_id)
    assert manifest is not None
    (handed,) = manifest.tracks
    assert (handed.kind, handed.codec, handed.source) == ("video", "h264", "camera")
    assert handed.segments == (track / "001-00001.mkv",)
    assert manifest.timeline == recorded.timeline_file
    # A crash after queueing, before the state was saved: handing off again adds nothing.
    recorded.update_state(state="finished")
    assert await hand_off(database, queue.enqueue, recorded) == video_id

    async with database.session() as session:
        video = await session.get(Video, video_id)
        assert video is not None
        assert (video.course_id, video.lecture_id, video.title) == (course.id, lecture.id, "Week 3")
        jobs = await session.scalar(select(func.count()).select_from(VodJob))
        kinds = list(await session.scalars(select(VodJob.kind)))
    assert jobs == 1 and kinds == ["recorded"]
