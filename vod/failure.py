"""When a video will never play: the one place where a first-stage job's end fails its video.

A library upload and a lecture recording fail alike: the job that makes the video playable
(``playable``, or ``recorded`` which ends in it) gives up (its attempts are spent, or the input
cannot make a video at all) or is cancelled before anything was playable. Without this the
video would stay "processing" forever; instead it becomes "failed", and its educators read why
in the video's API response (the job's last error).
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import Video, VodJob

# The jobs that make a video playable; the stage-2 jobs are queued only once it is.
FIRST_STAGES = frozenset({"playable", "recorded"})
CANCELLED = "processing was cancelled before the video was playable"


class Unprocessable(Exception):
    """The input itself cannot make a video (not media, neither picture nor sound): retrying
    cannot help."""


async def fail_video(session: AsyncSession, job: VodJob) -> None:
    """Marks the job's video failed if the job was its first stage and nothing plays yet.

    The caller commits, in the same transaction as the job's own end, so whoever sees the
    video failed also sees the job's error.
    """
    if job.kind in FIRST_STAGES:
        await session.execute(
            update(Video)
            .where(Video.id == job.video_id, Video.status == "processing")
            .values(status="failed")
        )


async def failure_reason(session: AsyncSession, video_id: int) -> str | None:
    """Why a video failed: its latest first-stage job's error, or the cancel."""
    job = await session.scalar(
        select(VodJob)
        .where(VodJob.video_id == video_id, VodJob.kind.in_(FIRST_STAGES))
        .order_by(VodJob.id.desc())
        .limit(1)
    )
    if job is None:
        return None
    if job.state == "cancelled":
        return CANCELLED
    return job.last_error
