"""The processing pipeline on real media with real ffmpeg, checked by reading every output."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import av
import pytest
from PIL import Image
from sqlalchemy import event, select

from classroom_server.db import Course, Database, Video, VodJob, upgrade
from tests.media import make_clip
from tests.processes import children_running
from vod.failure import CANCELLED, failure_reason
from vod.jobs import WATCH_SECONDS, Worker
from vod.library import add_video
from vod.probe import probe
from vod.storage import VideoStorage

CLIP_SECONDS = 8.0


@pytest.fixture
async def library(tmp_path: Path) -> AsyncIterator[tuple[Database, VideoStorage, int]]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}")
    await upgrade(database)
    async with database.session() as session:
        course = Course(code="V1", title="Video course")
        session.add(course)
        await session.commit()
    yield database, VideoStorage(tmp_path), course.id
    await database.close()


async def wait_jobs(database: Database, video_id: int, seconds: float = 90) -> list[VodJob]:
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        async with database.session() as session:
            jobs = list(
                await session.scalars(
                    select(VodJob).where(VodJob.video_id == video_id).order_by(VodJob.id)
                )
            )
        if (
            jobs
            and all(j.state in ("done", "failed", "cancelled") for j in jobs)
            and len(jobs) >= 3
        ):
            return jobs
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"jobs did not finish: {[(j.kind, j.state) for j in jobs]}")
        await asyncio.sleep(0.2)


def duration(path: Path) -> float:
    return probe(path).duration


async def test_import_makes_every_rendition(
    library: tuple[Database, VideoStorage, int], tmp_path: Path
) -> None:
    database, storage, course_id = library
    clip = make_clip(tmp_path / "clip.mp4", CLIP_SECONDS)
    async with database.session() as session:
        video = await add_video(session, storage, clip, course_id, "Pattern")
    worker = Worker(database, storage)
    worker.start()
    try:
        await worker.enqueue(video.id, "playable")
        jobs = await wait_jobs(database, video.id)
    finally:
        await worker.stop()
    assert [(j.kind, j.state, j.percent) for j in jobs] == [
        ("playable", "done", 100.0),
        ("stills", "done", 100.0),
        ("ladder", "done", 100.0),
    ]

    download = probe(storage.download(video.id))
    assert download.video_codec == "h264" and download.audio_codec == "aac"
    assert abs(download.duration - CLIP_SECONDS) <= 0.5
    master = storage.master(video.id).read_text()
    for name in ("source", "360p", "240p", "audio"):
        assert f"hls/{name}/index.m3u8" in master
        playlist = storage.rendition_dir(video.id, name) / "index.m3u8"
        assert abs(duration(playlist) - CLIP_SECONDS) <= 0.5, name
    assert "720p" not in master and "480p" not in master, "no rung above the 360p source"
    with av.open(str(storage.rendition_dir(video.id, "240p") / "index.m3u8")) as hls:
        assert hls.streams.video[0].codec_context.height == 240
        assert len(hls.streams.audio) == 1
    assert probe(storage.rendition_dir(video.id, "audio") / "index.m3u8").video_codec is None
    assert Image.open(storage.thumbnail(video.id)).size == (280, 157)
    assert Image.open(storage.preview(video.id)).size == (850, 480)
    async with database.session() as session:
        row = await session.get(Video, video.id)
    assert row is not None and row.status == "ready" and row.height == 360
    assert [r["name"] for r in row.renditions] == ["source", "360p", "240p", "audio"]


async def test_vp8_source_is_transcoded(
    library: tuple[Database, VideoStorage, int], tmp_path: Path
) -> None:
    database, storage, course_id = library
    clip = make_clip(tmp_path / "clip.webm", 3, size="320x240", codec="vp8")
    async with database.session() as session:
        video = await add_video(session, storage, clip, course_id, "VP8")
    worker = Worker(database, storage, lanes=("fast",))
    worker.start()
    try:
        await worker.enqueue(video.id, "playable")
        for _ in range(300):
            async with database.session() as session:
                job = await session.scalar(select(VodJob).where(VodJob.video_id == video.id))
            if job and job.state == "done":
                break
            await asyncio.sleep(0.1)
    finally:
        await worker.stop()
    info = probe(storage.download(video.id))
    assert info.video_codec == "h264" and abs(info.duration - 3) <= 0.5


def ffmpeg_children() -> list[int]:
    """ffmpeg processes whose parent is this test process."""
    return sorted(children_running(os.getpid(), "ffmpeg"))


async def test_cancelling_a_running_job_ends_its_ffmpeg(
    library: tuple[Database, VideoStorage, int], tmp_path: Path
) -> None:
    database, storage, course_id = library
    clip = make_clip(tmp_path / "long.mp4", 60, size="1280x720")
    async with database.session() as session:
        video = await add_video(session, storage, clip, course_id, "Long")
    worker = Worker(database, storage, lanes=("slow",))
    worker.start()
    try:
        job_id = await worker.enqueue(video.id, "ladder")
        for _ in range(200):
            if ffmpeg_children():
                break
            await asyncio.sleep(0.05)
        assert ffmpeg_children(), "the ladder's ffmpeg started"
        assert await worker.queue.cancel(job_id)
        for _ in range(100):
            if not ffmpeg_children():
                break
            await asyncio.sleep(0.05)
        assert ffmpeg_children() == []
        assert await worker.queue.state(job_id) == "cancelled"
    finally:
        await worker.stop()


async def test_failures_retry_with_backoff_then_fail(
    library: tuple[Database, VideoStorage, int], tmp_path: Path
) -> None:
    database, storage, course_id = library
    async with database.session() as session:
        video = await add_video(session, storage, make_clip(tmp_path / "c.mp4", 1), course_id, "C")
    storage.source(video.id).unlink()  # e.g. storage not mounted yet: a retry may find it
    worker = Worker(database, storage, lanes=("fast",))
    worker.start()
    try:
        job_id = await worker.enqueue(video.id, "playable")
        for _ in range(100):
            async with database.session() as session:
                job = await session.get(VodJob, job_id)
            if job and job.attempts == 1 and job.state == "pending":
                break
            await asyncio.sleep(0.05)
    finally:
        await worker.stop()
    assert job is not None and job.state == "pending" and job.last_error
    assert (job.run_after - job.started_at).total_seconds() >= 9  # type: ignore[operator]
    async with database.session() as session:
        row = await session.get(VodJob, job_id)
        assert row is not None
        row.attempts, row.run_after = row.max_attempts - 1, row.created_at
        await session.commit()
    again = Worker(database, storage, lanes=("fast",))
    again.start()
    try:
        for _ in range(100):
            if await again.queue.state(job_id) == "failed":
                break
            await asyncio.sleep(0.05)
    finally:
        await again.stop()
    assert await again.queue.state(job_id) == "failed"
    async with database.session() as session:
        failed = await session.get(Video, video.id)
        reason = await failure_reason(session, video.id)
    assert failed is not None and failed.status == "failed", "attempts spent: it will not play"
    assert reason and "could not read the media file" in reason


async def test_bytes_that_are_not_media_fail_the_video_at_once(
    library: tuple[Database, VideoStorage, int], tmp_path: Path
) -> None:
    database, storage, course_id = library
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + os.urandom(4096))
    async with database.session() as session:
        video = await add_video(session, storage, broken, course_id, "Broken")
    worker = Worker(database, storage, lanes=("fast",))
    worker.start()
    try:
        job_id = await worker.enqueue(video.id, "playable")
        for _ in range(100):
            if await worker.queue.state(job_id) == "failed":
                break
            await asyncio.sleep(0.05)
    finally:
        await worker.stop()
    async with database.session() as session:
        job = await session.get(VodJob, job_id)
        row = await session.get(Video, video.id)
    assert job is not None and (job.state, job.attempts) == ("failed", 1), "no retry of noise"
    assert row is not None and row.status == "failed"


async def test_cancelling_the_first_stage_fails_the_video(
    library: tuple[Database, VideoStorage, int], tmp_path: Path
) -> None:
    database, storage, course_id = library
    async with database.session() as session:
        video = await add_video(session, storage, make_clip(tmp_path / "c.mp4", 1), course_id, "C")
    queue = Worker(database, storage).queue  # not started: the job stays pending
    ladder_job = await queue.enqueue(video.id, "ladder")
    assert await queue.cancel(ladder_job)
    async with database.session() as session:
        row = await session.get(Video, video.id)
    assert row is not None and row.status == "processing", "a stage-2 job is not the picture"
    assert await queue.cancel(await queue.enqueue(video.id, "playable"))
    async with database.session() as session:
        row = await session.get(Video, video.id)
        reason = await failure_reason(session, video.id)
    assert row is not None and row.status == "failed" and reason == CANCELLED


async def test_pending_jobs_survive_a_restart_and_fast_work_is_not_starved(
    library: tuple[Database, VideoStorage, int], tmp_path: Path
) -> None:
    database, storage, course_id = library
    long_clip = make_clip(tmp_path / "long.mp4", 40, size="1280x720")
    short_clip = make_clip(tmp_path / "short.mp4", 2)
    async with database.session() as session:
        long_video = await add_video(session, storage, long_clip, course_id, "Long")
        short_video = await add_video(session, storage, short_clip, course_id, "Short")
    first = Worker(database, storage)
    ladder_job = await first.queue.enqueue(long_video.id, "ladder")
    playable_job = await first.queue.enqueue(short_video.id, "playable")
    # No worker ran: a "restart" is a new worker finding the queued jobs.
    worker = Worker(database, storage)
    worker.start()
    try:
        for _ in range(300):
            if await worker.queue.state(playable_job) == "done":
                break
            await asyncio.sleep(0.05)
        assert await worker.queue.state(playable_job) == "done"
        assert await worker.queue.state(ladder_job) == "running", "the ladder is still going"
    finally:
        await worker.stop()
    assert await worker.queue.state(ladder_job) == "pending", "stopping hands it back"


async def test_a_running_job_costs_one_statement_a_second(
    library: tuple[Database, VideoStorage, int], tmp_path: Path
) -> None:
    """Progress rides on the heartbeat, a cancel shows in its UPDATE: the worker's database
    traffic stays about one statement a second, so it takes next to no CPU from ffmpeg."""
    database, storage, course_id = library
    clip = make_clip(tmp_path / "c.mp4", 16, size="1280x720")
    async with database.session() as session:
        video = await add_video(session, storage, clip, course_id, "C")
    statements: list[str] = []
    event.listen(
        database.engine.sync_engine,
        "before_cursor_execute",
        lambda _c, _cur, statement, *_: statements.append(statement),
    )
    watcher = Database(str(database.engine.url))  # the test's own polling is not counted
    worker = Worker(database, storage, lanes=("slow",))
    worker.start()
    percents: set[float] = set()
    try:
        job_id = await worker.enqueue(video.id, "ladder")
        for _ in range(1200):
            async with watcher.session() as session:
                job = await session.get(VodJob, job_id)
            assert job is not None
            if job.state != "running" and job.state != "pending":
                break
            percents.add(job.percent)
            await asyncio.sleep(0.1)
    finally:
        await worker.stop()
        await watcher.close()
    assert job is not None and job.state == "done", job
    assert job.started_at and job.finished_at
    seconds = (job.finished_at - job.started_at).total_seconds()
    assert seconds > 3 * WATCH_SECONDS, "long enough to count its heartbeats"
    assert any(0 < p < 100 for p in percents), "progress is still written while it runs"
    updates = [s for s in statements if s.startswith("UPDATE vod_jobs")]
    assert len(updates) <= seconds / WATCH_SECONDS + 3, updates[-5:]  # + claim, done, stop
    assert not [s for s in statements if s.startswith("SELECT vod_jobs.state")], "no state reads"
