"""The job queue when workers die: a job whose worker never comes back is claimed again, each
claim counted as an attempt, and once they are spent it fails (and its video with it) instead
of being reclaimed forever. Real SQLite, a real worker running real ffmpeg."""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from classroom_server.db import Course, Database, Video, VodJob, upgrade
from tests.conftest import (
    CLI,
    DATABASES,
    SECRET_KEY,
    run_cli,
    run_postgres_url,
    scratch_postgres,
)
from tests.media import make_clip
from vod.failure import failure_reason
from vod.jobs import STALE_AFTER, WORKER_DIED, JobQueue, Worker, now
from vod.library import add_video
from vod.storage import VideoStorage


@pytest.fixture
async def library(tmp_path: Path) -> AsyncIterator[tuple[Database, VideoStorage, int]]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}")
    await upgrade(database)
    async with database.session() as session:
        course = Course(code="J1", title="Jobs")
        session.add(course)
        await session.commit()
    yield database, VideoStorage(tmp_path), course.id
    await database.close()


async def die(database: Database, queue: JobQueue, job_id: int, worker: str) -> VodJob:
    """``worker`` claims the job and is killed while running it: its heartbeat stops, and the
    time it takes for that to show (``STALE_AFTER``) passes."""
    claimed = await queue.claim("fast", worker)
    assert claimed is not None and claimed.id == job_id
    async with database.session() as session:
        job = await session.get(VodJob, job_id)
        assert job is not None and job.state == "running"
        job.heartbeat_at = now() - STALE_AFTER - timedelta(seconds=1)
        await session.commit()
        return job


async def wait_state(queue: JobQueue, job_id: int, states: set[str]) -> str | None:
    for _ in range(400):
        state = await queue.state(job_id)
        if state in states:
            return state
        await asyncio.sleep(0.05)
    return await queue.state(job_id)


async def survivor_ends(database: Database, storage: VideoStorage, job_id: int) -> str | None:
    """How the job ends once a healthy worker ("survivor") starts and finds it."""
    worker = Worker(database, storage, name="survivor", lanes=("fast",))
    worker.start()
    try:
        return await wait_state(worker.queue, job_id, {"failed", "done"})
    finally:
        await worker.stop()


async def test_a_job_that_kills_every_worker_ends_failed_with_its_video(
    library: tuple[Database, VideoStorage, int], tmp_path: Path
) -> None:
    database, storage, course_id = library
    async with database.session() as session:
        video = await add_video(session, storage, make_clip(tmp_path / "c.mp4", 1), course_id, "C")
    queue = JobQueue(database)
    job_id = await queue.enqueue(video.id, "playable")
    for attempt in range(1, 4):
        job = await die(database, queue, job_id, f"dead-{attempt}")
        assert job.attempts == attempt, "a reclaim is an attempt"
    assert job.max_attempts == 3

    # A worker (re)starting finds the job stale with its attempts spent: it fails it instead
    # of running it a fourth time (the clip is fine, so running it would have made it "done").
    assert await survivor_ends(database, storage, job_id) == "failed"
    async with database.session() as session:
        row = await session.get(VodJob, job_id)
        failed = await session.get(Video, video.id)
        reason = await failure_reason(session, video.id)
    assert row is not None
    assert (row.state, row.attempts, row.worker, row.last_error) == ("failed", 3, None, WORKER_DIED)
    assert row.finished_at is not None
    assert failed is not None and failed.status == "failed", "a first stage: it will not play"
    assert reason == WORKER_DIED


async def test_a_job_whose_worker_died_once_is_run_again(
    library: tuple[Database, VideoStorage, int], tmp_path: Path
) -> None:
    database, storage, course_id = library
    async with database.session() as session:
        video = await add_video(session, storage, make_clip(tmp_path / "c.mp4", 1), course_id, "C")
    queue = JobQueue(database)
    job_id = await queue.enqueue(video.id, "playable")
    await die(database, queue, job_id, "dead-1")
    assert await survivor_ends(database, storage, job_id) == "done"
    async with database.session() as session:
        row = await session.get(VodJob, job_id)
        ready = await session.get(Video, video.id)
    assert row is not None and (row.attempts, row.worker) == (2, "survivor")
    assert ready is not None and ready.status == "ready"


@pytest.mark.skipif("postgresql" not in DATABASES, reason="PostgreSQL not under test")
async def test_a_job_of_a_killed_worker_process_is_finished_by_another(tmp_path: Path) -> None:
    """Two ``qou-classroom worker`` processes on one queue, as on two machines: the one that
    claimed the ladder is killed (SIGKILL, its ffmpeg with it), and the other takes the job
    over once its heartbeat is ``QOU_JOB_STALE_SECONDS`` old, and finishes it."""
    url = await scratch_postgres(run_postgres_url("worker_handover"))
    flags = ["--data-dir", str(tmp_path), "--database-url", url]
    run_cli("migrate", *flags)
    run_cli("demo", "--password", "demo-password-1", *flags)
    clip = make_clip(tmp_path / "lecture.mp4", 60)
    run_cli("vod", "import", str(clip), "--course", "1", "--title", "Handed over", *flags)
    database = Database(url)
    env = {**os.environ, "QOU_SECRET_KEY": SECRET_KEY, "QOU_JOB_STALE_SECONDS": "3"}

    def worker() -> subprocess.Popen[bytes]:
        return subprocess.Popen([*CLI, "worker", *flags], env=env, stdout=subprocess.DEVNULL)

    first = worker()
    second: subprocess.Popen[bytes] | None = None
    try:
        ladder = await wait_job(
            database, lambda job: job.kind == "ladder" and job.state == "running"
        )
        first.kill()
        first.wait(10)
        second = worker()
        done = await wait_job(
            database, lambda job: job.id == ladder.id and job.state == "done", 120
        )
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(10)
        await database.close()
    assert done.attempts == 2 and done.worker != ladder.worker, (ladder.worker, done.worker)


async def wait_job(
    database: Database, wanted: Callable[[VodJob], bool], seconds: float = 60
) -> VodJob:
    deadline = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < deadline:
        async with database.session() as session:
            for job in (await session.execute(select(VodJob))).scalars():
                if wanted(job):
                    return job
        await asyncio.sleep(0.1)
    raise AssertionError("no such job in time")
