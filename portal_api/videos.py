"""QOU Tube's catalogue over REST: list, search, upload, edit, delete, and job progress."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import Role, User, Video, VodJob, WatchPosition, add_unique
from classroom_server.db.paging import paginate
from classroom_server.module_progress import complete_watched_units
from classroom_server.policy import can_manage_course
from classroom_server.services import services
from classroom_server.web_auth import current_identity, require_user
from classroom_server.web_problems import Problem, not_found
from portal_api.access import require_course
from portal_api.router import ApiRouter, path_id, validate
from portal_api.schemas import DbId, ListPage, Page
from portal_api.uploads import CHUNK, file_part, stream_to_disk
from vod import app_keys
from vod.composition import composed_ids
from vod.failure import failure_reason
from vod.library import VideoFilter, add_video_row, find, may_watch, set_tags

router = ApiRouter()
MAX_VIDEO_BYTES = 8 * 1024**3
Visibility = Literal["course", "public", "private"]
Tag = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[^,]+$")]


class VideoQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    course_id: DbId | None = None
    q: str | None = Field(None, min_length=1, max_length=100)
    tag: str | None = Field(None, min_length=1, max_length=40)
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=1_000_000)


class VideoUpload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    course_id: DbId
    title: str = Field(min_length=1, max_length=200)


class VideoUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=10_000)
    tags: list[Tag] | None = Field(None, max_length=20)
    visibility: Visibility | None = None


class Rendition(BaseModel):
    name: str
    height: int | None


class VideoOut(BaseModel):
    id: int
    course_id: int
    lecture_id: int | None
    title: str
    description: str
    tags: list[str]
    visibility: Visibility
    status: Literal["processing", "ready", "failed"]
    duration_seconds: float | None
    width: int | None
    height: int | None
    renditions: list[Rendition]
    master_url: str
    download_url: str
    composed_url: str | None = Field(
        None, description="A recorded lecture's MP4 with its slides and camera, once made"
    )
    thumbnail_url: str
    created_at: datetime
    error: str | None = Field(
        None, description="Why processing failed (status failed); shown to its educators only"
    )

    @classmethod
    def of(cls, v: Video, error: str | None = None) -> VideoOut:
        base = f"/vod/{v.id}"
        return cls(
            id=v.id,
            course_id=v.course_id,
            lecture_id=v.lecture_id,
            title=v.title,
            description=v.description,
            tags=v.tags,
            visibility=v.visibility,
            status=v.status,
            duration_seconds=v.duration_seconds,
            width=v.width,
            height=v.height,
            renditions=[Rendition(name=r["name"], height=r.get("height")) for r in v.renditions],
            master_url=f"{base}/master.m3u8",
            download_url=f"{base}/download.mp4",
            thumbnail_url=f"{base}/thumbnail.jpg",
            created_at=v.created_at,
            error=error,
        )


async def _failure(session: AsyncSession, user: User | None, video: Video) -> str | None:
    """Why a failed video has no picture, for those who manage it (the error quotes ffmpeg)."""
    if video.status != "failed" or user is None:
        return None
    if video.owner_id != user.id and not await can_manage_course(session, user, video.course_id):
        return None
    return await failure_reason(session, video.id)


async def with_exports(request: web.Request, videos: list[VideoOut]) -> list[VideoOut]:
    """Fills ``composed_url`` where the export's file is there (only lectures get one)."""
    lectures = [v.id for v in videos if v.lecture_id is not None]
    if lectures:
        made = await asyncio.to_thread(composed_ids, app_keys.videos(request), lectures)
        for video in videos:
            if video.id in made:
                video.composed_url = f"/vod/{video.id}/composed.mp4"
    return videos


class VideoList(ListPage[VideoOut]):
    pass


class JobOut(BaseModel):
    id: int
    kind: str
    state: str
    percent: float
    attempts: int
    last_error: str | None


class JobList(ListPage[JobOut]):
    pass


@router.route("GET", "/videos", tag="videos", query=VideoQuery, response=VideoList, auth=False)
async def list_videos(request: web.Request, query: VideoQuery) -> VideoList:
    """Videos you may watch; filter by course, search the title, or pick a tag."""
    identity = await current_identity(request)
    user = identity.user if identity else None
    where = VideoFilter(query.course_id, query.q, query.tag)
    async with services(request).database.session() as session:
        videos, total = await find(session, user, where, query.limit, query.offset)
        items = [VideoOut.of(v, await _failure(session, user, v)) for v in videos]
    items = await with_exports(request, items)
    return VideoList.of(items, total, query)


async def _managed(request: web.Request) -> tuple[User, Video]:
    user = await require_user(request)
    video_id = path_id(request, "video_id", "video")
    async with services(request).database.session() as session:
        video = await may_watch(session, user, video_id)
        if video is None:
            raise not_found(f"video {video_id}")
        if video.owner_id != user.id:
            await require_course(
                session,
                user,
                video.course_id,
                manage=True,
                denied="Only the course's educators change its videos",
            )
    return user, video


@router.route(
    "POST",
    "/videos",
    tag="videos",
    response=VideoOut,
    status=202,
    upload=True,
    errors=(404, 413, 415, 422),
)
async def upload_video(request: web.Request) -> VideoOut:
    """Upload a video file (form fields course_id and title, then file); processing follows."""
    user = await require_user(request, Role.EDUCATOR, Role.ADMIN)
    fields, part = await file_part(request)
    form = validate(VideoUpload, fields, "form")  # course_id and title come before the file
    svc = services(request)
    async with svc.database.session() as session:
        await require_course(
            session,
            user,
            form.course_id,
            manage=True,
            denied="Only the course's educators add videos",
        )
        video = await add_video_row(session, form.course_id, form.title, owner_id=user.id)
        head = await part.read_chunk(CHUNK)
        await stream_to_disk(part, head, app_keys.videos(request).source(video.id), MAX_VIDEO_BYTES)
        await session.commit()
    await app_keys.jobs(request).enqueue(video.id, "playable")
    return VideoOut.of(video)


@router.route("GET", "/videos/{video_id}", tag="videos", response=VideoOut, auth=False)
async def get_video(request: web.Request) -> VideoOut:
    """One video you may watch."""
    identity = await current_identity(request)
    video_id = path_id(request, "video_id", "video")
    user = identity.user if identity else None
    async with services(request).database.session() as session:
        video = await may_watch(session, user, video_id)
        if video is None:
            raise not_found(f"video {video_id}")
        found = VideoOut.of(video, await _failure(session, user, video))
    return (await with_exports(request, [found]))[0]


@router.route("PATCH", "/videos/{video_id}", tag="videos", body=VideoUpdate, response=VideoOut)
async def update_video(request: web.Request, body: VideoUpdate) -> VideoOut:
    """Edit title, description, tags or visibility."""
    user, video = await _managed(request)
    async with services(request).database.session() as session:
        row = await session.get(Video, video.id)
        assert row is not None
        changes = body.model_dump(exclude_none=True)
        if "tags" in changes:
            set_tags(row, changes.pop("tags"))
        for name, value in changes.items():
            setattr(row, name, value)
        await session.commit()
        updated = VideoOut.of(row, await _failure(session, user, row))
    return (await with_exports(request, [updated]))[0]


@router.route("DELETE", "/videos/{video_id}", tag="videos")
async def delete_video(request: web.Request) -> None:
    """Delete a video and its files."""
    _, video = await _managed(request)
    svc = services(request)
    async with svc.database.session() as session:
        # Jobs before the video, the order a worker locks them in (its job's end, then the
        # video's state): the cascade would lock the video first and deadlock PostgreSQL.
        await session.execute(delete(VodJob).where(VodJob.video_id == video.id))
        row = await session.get(Video, video.id)
        if row is not None:
            await session.delete(row)
        await session.commit()
    await app_keys.videos(request).remove(video.id)


@router.route("GET", "/videos/{video_id}/jobs", tag="videos", query=Page, response=JobList)
async def video_jobs(request: web.Request, query: Page) -> JobList:
    """Processing jobs of a video and their progress, oldest first (its educators)."""
    _, video = await _managed(request)
    async with services(request).database.session() as session:
        where = select(VodJob).where(VodJob.video_id == video.id)
        jobs, total = await paginate(session, where.order_by(VodJob.id), query.limit, query.offset)
    return JobList.of((JobOut.model_validate(j, from_attributes=True) for j in jobs), total, query)


@router.route("POST", "/jobs/{job_id}/cancel", tag="videos", response=JobOut, errors=(409,))
async def cancel_job(request: web.Request) -> JobOut:
    """Cancel a pending or running job; a running ffmpeg is ended."""
    user = await require_user(request)
    job_id = path_id(request, "job_id", "job")
    svc = services(request)
    async with svc.database.session() as session:
        job = await session.get(VodJob, job_id)
        video = await session.get(Video, job.video_id) if job else None
        if job is None or video is None:
            raise not_found(f"job {job_id}")
        await require_course(
            session,
            user,
            video.course_id,
            manage=True,
            denied="Only the course's educators cancel its jobs",
        )
    if not await app_keys.jobs(request).queue.cancel(job_id):
        raise Problem(409, "conflict", "Conflict", f"job {job_id} is already {job.state}")
    async with svc.database.session() as session:
        job = await session.get(VodJob, job_id)
        return JobOut.model_validate(job, from_attributes=True)


class Position(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seconds: float = Field(ge=0, le=24 * 3600, allow_inf_nan=False)


class PositionOut(BaseModel):
    seconds: float
    updated_at: datetime | None


async def _position(session: AsyncSession, video_id: int, user_id: int) -> WatchPosition | None:
    query = select(WatchPosition).where(
        WatchPosition.video_id == video_id, WatchPosition.user_id == user_id
    )
    row: WatchPosition | None = await session.scalar(query)
    return row


async def _watchable(request: web.Request) -> tuple[User, int]:
    user = await require_user(request)
    video_id = path_id(request, "video_id", "video")
    async with services(request).database.session() as session:
        if await may_watch(session, user, video_id) is None:
            raise not_found(f"video {video_id}")
    return user, video_id


@router.route("GET", "/videos/{video_id}/position", tag="videos", response=PositionOut)
async def get_position(request: web.Request) -> PositionOut:
    """Where you stopped watching (0 if you have not started)."""
    user, video_id = await _watchable(request)
    async with services(request).database.session() as session:
        row = await _position(session, video_id, user.id)
    return PositionOut(
        seconds=row.seconds if row else 0.0, updated_at=row.updated_at if row else None
    )


@router.route(
    "PUT", "/videos/{video_id}/position", tag="videos", body=Position, response=PositionOut
)
async def put_position(request: web.Request, body: Position) -> PositionOut:
    """Remember where you are; the player calls this every few seconds while playing."""
    user, video_id = await _watchable(request)
    async with services(request).database.session() as session:
        row = await _position(session, video_id, user.id)
        if row is None:
            row = WatchPosition(video_id=video_id, user_id=user.id)
            if not await add_unique(session, row):  # a concurrent first save won the insert
                row = await _position(session, video_id, user.id)
                assert row is not None
        row.seconds, row.updated_at = body.seconds, datetime.now(UTC)
        await session.commit()
        saved = PositionOut(seconds=row.seconds, updated_at=row.updated_at)
        await complete_watched_units(session, video_id, user.id, body.seconds)
        return saved
