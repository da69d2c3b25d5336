"""``qou-classroom vod import|jobs`` and ``qou-classroom worker``."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from datetime import timedelta
from pathlib import Path
from typing import Any

import click
from sqlalchemy import select

from classroom_server.cli_common import data_options, ensure_data_dir, settings_from
from classroom_server.config import Settings
from classroom_server.db import Course, Database, VodJob
from classroom_server.db.migrate import DatabaseProblem, prepare
from vod.jobs import Worker
from vod.library import add_video
from vod.storage import VideoStorage


@click.group("vod")
def vod_group() -> None:
    """The QOU Tube video library."""


async def _open(settings: Settings) -> Database:
    """The database as ``serve`` opens it: the embedded SQLite upgraded, an external one
    required at head (a worker on an old schema would fail every job it claims)."""
    ensure_data_dir(settings)
    database = Database(settings.effective_database_url)
    try:
        await prepare(database, migrate=settings.is_sqlite)
    except DatabaseProblem as exc:
        await database.close()
        raise click.ClickException(str(exc)) from None
    return database


@vod_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--course", "course_id", type=int, required=True, help="Course id")
@click.option("--title", required=True, help="Title shown in the course's library")
@data_options
def import_video(file: Path, course_id: int, title: str, **flags: Any) -> None:
    """Add a video file to a course's library and make it playable now.

    The fast stage (MP4 download and HLS) runs here with a progress bar; the quality ladder
    and stills are left queued for the server's worker.
    """
    settings = settings_from(**flags)
    size = file.stat().st_size

    async def run() -> None:
        database = await _open(settings)
        storage = VideoStorage(settings.data_dir)
        try:
            async with database.session() as session:
                if await session.get(Course, course_id) is None:
                    raise click.ClickException(f"no course with id {course_id}")
                with click.progressbar(length=size, label="Copying") as bar:
                    video = await add_video(
                        session, storage, file, course_id, title, progress=bar.update
                    )
            worker = Worker(database, storage, lanes=("fast",))
            job_id = await worker.enqueue(video.id, "playable")
            worker.start()
            try:
                await _follow(database, job_id, "Processing")
            finally:
                await worker.stop()
            click.echo(f"video {video.id} is playable; the quality ladder is queued")
        finally:
            await database.close()

    asyncio.run(run())


async def _follow(database: Database, job_id: int, label: str) -> None:
    with click.progressbar(length=100, label=label) as bar:
        done = 0
        while True:
            async with database.session() as session:
                job = await session.get(VodJob, job_id)
            assert job is not None
            bar.update(int(job.percent) - done)
            done = int(job.percent)
            if job.state in ("done", "failed", "cancelled"):
                break
            if job.state == "pending" and job.last_error:
                raise click.ClickException(f"processing failed: {job.last_error}")
            await asyncio.sleep(0.2)
    if job.state != "done":
        raise click.ClickException(f"processing {job.state}: {job.last_error or ''}")


@vod_group.command("jobs")
@click.option(
    "--limit",
    type=click.IntRange(1, 1000),
    default=50,
    show_default=True,
    help="How many of the newest jobs to list",
)
@data_options
def list_jobs(limit: int, **flags: Any) -> None:
    """List processing jobs, newest first, with their progress."""
    settings = settings_from(**flags)

    async def run() -> list[VodJob]:
        database = await _open(settings)
        try:
            async with database.session() as session:
                query = select(VodJob).order_by(VodJob.id.desc()).limit(limit)
                return list(await session.scalars(query))
        finally:
            await database.close()

    jobs = asyncio.run(run())
    click.echo(f"{'job':>5} {'video':>5} {'kind':<9} {'state':<9} {'done':>6} {'tries':>5}  error")
    for job in jobs:
        error = (job.last_error or "").splitlines()[-1][:60] if job.last_error else ""
        click.echo(
            f"{job.id:>5} {job.video_id:>5} {job.kind:<9} {job.state:<9} "
            f"{job.percent:>5.0f}% {job.attempts:>5}  {error}"
        )


@click.command()
@data_options
@click.option(
    "--redis-url",
    metavar="URL",
    default=None,
    help="Redis that wakes workers when jobs are queued [env QOU_REDIS_URL]",
)
def worker(**flags: Any) -> None:
    """Process QOU Tube jobs (the distributed mode's video worker)."""
    from redis.asyncio import Redis

    from classroom_server.logs import configure_logging

    settings = settings_from(**flags)
    configure_logging(settings.log_level)

    async def run() -> None:
        database = await _open(settings)
        redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
        stale_after = timedelta(seconds=settings.job_stale_seconds)
        jobs = Worker(
            database, VideoStorage(settings.data_dir), redis=redis, stale_after=stale_after
        )
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            asyncio.get_running_loop().add_signal_handler(sig, stop.set)
        jobs.start()
        click.echo(f"worker {jobs.name} is processing jobs (Ctrl-C to stop)")
        await stop.wait()
        await jobs.stop()
        if redis is not None:
            await redis.aclose()
        await database.close()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())
