"""QOU Tube's catalogue: adding, finding, editing and removing videos, who may watch which,
and each viewer's saved position."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Select, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import (
    Enrolment,
    Module,
    Unit,
    User,
    Video,
    VodJob,
    WatchPosition,
    add_unique,
)
from classroom_server.db.paging import paginate
from classroom_server.policy import can_manage_course
from vod.failure import failure_reason
from vod.search_text import escape_like, matches
from vod.storage import VideoStorage

COPY_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class VideoFilter:
    course_id: int | None = None
    search: str | None = None
    tag: str | None = None


def visible_to(user: User | None) -> Callable[[Select[Any]], Select[Any]]:
    """Public videos for everyone, and so are course videos that an open course (a module
    published as an open educational resource) has as a unit; course videos for members;
    private ones for their owner."""

    def apply(query: Select[Any]) -> Select[Any]:
        if user is not None and user.role == "admin":
            return query
        in_open_course = (
            select(Unit.video_id)
            .join(Module, Module.id == Unit.module_id)
            .where(Unit.video_id.is_not(None), Module.published, Module.open_course)
        )
        rules = [
            Video.visibility == "public",
            (Video.visibility == "course") & Video.id.in_(in_open_course),
        ]
        if user is not None:
            member_of = select(Enrolment.course_id).where(Enrolment.user_id == user.id)
            teaches = member_of.where(Enrolment.role == "educator")
            rules += [
                (Video.visibility == "course") & Video.course_id.in_(member_of),
                Video.owner_id == user.id,
                Video.course_id.in_(teaches),
            ]
        return query.where(or_(*rules))

    return apply


async def may_watch(session: AsyncSession, user: User | None, video_id: int) -> Video | None:
    query = visible_to(user)(select(Video).where(Video.id == video_id))
    video: Video | None = await session.scalar(query)
    return video


async def lecture_recordings(
    session: AsyncSession, user: User, lecture_ids: list[int]
) -> dict[int, Video]:
    """Each lecture's latest library video that ``user`` may watch, by lecture id."""
    if not lecture_ids:
        return {}
    query = visible_to(user)(select(Video).where(Video.lecture_id.in_(lecture_ids)))
    found: dict[int, Video] = {}
    for video in await session.scalars(query.order_by(Video.id)):
        assert video.lecture_id is not None
        found[video.lecture_id] = video  # the latest wins
    return found


async def find(
    session: AsyncSession, user: User | None, where: VideoFilter, limit: int, offset: int
) -> tuple[list[Video], int]:
    query = visible_to(user)(select(Video))
    if where.course_id is not None:
        query = query.where(Video.course_id == where.course_id)
    if where.search and where.search.strip():
        query = query.where(matches(where.search, session.get_bind().dialect.name))
    if where.tag:
        query = query.where(
            Video.tag_index.like(f"%,{escape_like(where.tag.lower())},%", escape="\\")
        )
    return await paginate(
        session, query.order_by(Video.created_at.desc(), Video.id.desc()), limit, offset
    )


async def failure_shown_to(session: AsyncSession, user: User | None, video: Video) -> str | None:
    """Why a failed video has no picture, for those who manage it (the error quotes ffmpeg)."""
    if video.status != "failed" or user is None:
        return None
    if video.owner_id != user.id and not await can_manage_course(session, user, video.course_id):
        return None
    return await failure_reason(session, video.id)


async def edit_video(session: AsyncSession, video_id: int, changes: dict[str, Any]) -> Video:
    """Applies ``changes`` (title, description, tags, visibility) to the stored video."""
    video = await session.get(Video, video_id)
    assert video is not None
    if "tags" in changes:
        set_tags(video, changes.pop("tags"))
    for name, value in changes.items():
        setattr(video, name, value)
    return video


async def remove_video_rows(session: AsyncSession, video_id: int) -> None:
    """The video and its jobs; jobs first, the order a worker locks them in (its job's end,
    then the video's state): the cascade would lock the video first and deadlock PostgreSQL."""
    await session.execute(delete(VodJob).where(VodJob.video_id == video_id))
    video = await session.get(Video, video_id)
    if video is not None:
        await session.delete(video)


async def jobs_of_video(
    session: AsyncSession, video_id: int, limit: int, offset: int
) -> tuple[list[VodJob], int]:
    """A page of a video's processing jobs, oldest first."""
    query = select(VodJob).where(VodJob.video_id == video_id)
    return await paginate(session, query.order_by(VodJob.id), limit, offset)


async def job_and_video(session: AsyncSession, job_id: int) -> tuple[VodJob, Video] | None:
    job = await session.get(VodJob, job_id)
    video = await session.get(Video, job.video_id) if job else None
    return (job, video) if job is not None and video is not None else None


async def watch_position(
    session: AsyncSession, video_id: int, user_id: int
) -> WatchPosition | None:
    """Where ``user_id`` stopped watching, if they started."""
    query = select(WatchPosition).where(
        WatchPosition.video_id == video_id, WatchPosition.user_id == user_id
    )
    row: WatchPosition | None = await session.scalar(query)
    return row


async def save_position(
    session: AsyncSession, video_id: int, user_id: int, seconds: float
) -> WatchPosition:
    """Remembers where the viewer is (created on the first save; a racing first save wins)."""
    row = await watch_position(session, video_id, user_id)
    if row is None:
        row = WatchPosition(video_id=video_id, user_id=user_id)
        if not await add_unique(session, row):  # a concurrent first save won the insert
            row = await watch_position(session, video_id, user_id)
            assert row is not None
    row.seconds, row.updated_at = seconds, datetime.now(UTC)
    return row


def set_tags(video: Video, tags: list[str]) -> None:
    video.tags = tags
    video.tag_index = "," + ",".join(t.lower() for t in tags) + ","


async def add_video_row(
    session: AsyncSession,
    course_id: int,
    title: str,
    owner_id: int | None = None,
    lecture_id: int | None = None,
) -> Video:
    """The catalogue entry; its id names the directory the source goes into."""
    video = Video(
        course_id=course_id,
        title=title,
        owner_id=owner_id,
        lecture_id=lecture_id,
        search_text=title.lower(),
    )
    session.add(video)
    await session.flush()
    return video


async def add_video(
    session: AsyncSession,
    storage: VideoStorage,
    source: Path,
    course_id: int,
    title: str,
    progress: Callable[[int], None] | None = None,
) -> Video:
    """Copies a local file into the library (the original stays where it was) and records it."""
    video = await add_video_row(session, course_id, title)
    await asyncio.to_thread(_copy, source, storage.source(video.id), progress)
    await session.commit()
    return video


def _copy(source: Path, target: Path, progress: Callable[[int], None] | None) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with source.open("rb") as src, target.open("wb") as dst:
        while chunk := src.read(COPY_CHUNK):
            dst.write(chunk)
            if progress:
                progress(len(chunk))
