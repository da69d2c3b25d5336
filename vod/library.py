"""QOU Tube's catalogue: adding videos, finding them, and who may watch which."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import Enrolment, User, Video
from classroom_server.db.paging import paginate
from vod.storage import VideoStorage

COPY_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class VideoFilter:
    course_id: int | None = None
    search: str | None = None
    tag: str | None = None


def visible_to(user: User | None) -> Callable[[Select[Any]], Select[Any]]:
    """Public videos for everyone; course videos for members; private ones for their owner."""

    def apply(query: Select[Any]) -> Select[Any]:
        if user is not None and user.role == "admin":
            return query
        rules = [Video.visibility == "public"]
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


async def find(
    session: AsyncSession, user: User | None, where: VideoFilter, limit: int, offset: int
) -> tuple[list[Video], int]:
    query = visible_to(user)(select(Video))
    if where.course_id is not None:
        query = query.where(Video.course_id == where.course_id)
    if where.search:
        query = query.where(Video.title.ilike(f"%{_escape(where.search)}%", escape="\\"))
    if where.tag:
        query = query.where(Video.tag_index.like(f"%,{_escape(where.tag.lower())},%", escape="\\"))
    return await paginate(
        session, query.order_by(Video.created_at.desc(), Video.id.desc()), limit, offset
    )


def set_tags(video: Video, tags: list[str]) -> None:
    video.tags = tags
    video.tag_index = "," + ",".join(t.lower() for t in tags) + ","


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def add_video_row(
    session: AsyncSession,
    course_id: int,
    title: str,
    owner_id: int | None = None,
    lecture_id: int | None = None,
) -> Video:
    """The catalogue entry; its id names the directory the source goes into."""
    video = Video(course_id=course_id, title=title, owner_id=owner_id, lecture_id=lecture_id)
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
