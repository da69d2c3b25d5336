"""QOU Tube's catalogue over REST: list, search, upload, edit, delete, and job progress."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from classroom_server.db import Database, Role, User, Video, VodJob
from classroom_server.module_progress import complete_watched_units
from classroom_server.web_auth import current_identity, require_user
from classroom_server.web_problems import Problem, not_found
from portal_api.access import require_course
from portal_api.router import ApiRouter, path_id, validate
from portal_api.schemas import DbId, ListPage, Page
from portal_api.uploads import CHUNK, file_part, stream_to_disk
from vod import search_text
from vod.composition import composed_ids
from vod.jobs import Worker
from vod.library import (
    VideoFilter,
    add_video_row,
    edit_video,
    failure_shown_to,
    find,
    job_and_video,
    jobs_of_video,
    may_watch,
    remove_video_rows,
    save_position,
    watch_position,
)
from vod.storage import VideoStorage

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


async def with_exports(storage: VideoStorage, videos: list[VideoOut]) -> list[VideoOut]:
    """Fills ``composed_url`` where the export's file is there (only lectures get one)."""
    lectures = [v.id for v in videos if v.lecture_id is not None]
    if lectures:
        made = await asyncio.to_thread(composed_ids, storage, lectures)
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
async def list_videos(
    request: web.Request, query: VideoQuery, db: Database, storage: VideoStorage
) -> VideoList:
    """Videos you may watch; filter by course, search the title, or pick a tag."""
    identity = await current_identity(request)
    user = identity.user if identity else None
    where = VideoFilter(query.course_id, query.q, query.tag)
    async with db.session() as session:
        videos, total = await find(session, user, where, query.limit, query.offset)
        items = [VideoOut.of(v, await failure_shown_to(session, user, v)) for v in videos]
    return VideoList.of(await with_exports(storage, items), total, query)


async def watchable_video_id(request: web.Request, db: Database) -> int:
    """The id of the video named in the path if whoever asks (signed in or not) may watch it;
    404 otherwise, so a private video's existence is not told."""
    identity = await current_identity(request)
    video_id = path_id(request, "video_id", "video")
    async with db.session() as session:
        if await may_watch(session, identity.user if identity else None, video_id) is None:
            raise not_found(f"video {video_id}")
    return video_id


async def managed_video(request: web.Request, db: Database) -> tuple[User, Video]:
    """The video named in the path if the caller may change it: its owner or its educators."""
    user = await require_user(request)
    video_id = path_id(request, "video_id", "video")
    async with db.session() as session:
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
async def upload_video(
    request: web.Request, db: Database, storage: VideoStorage, jobs: Worker
) -> VideoOut:
    """Upload a video file (form fields course_id and title, then file); processing follows."""
    user = await require_user(request, Role.EDUCATOR, Role.ADMIN)
    fields, part = await file_part(request)
    form = validate(VideoUpload, fields, "form")  # course_id and title come before the file
    async with db.session() as session:
        await require_course(
            session,
            user,
            form.course_id,
            manage=True,
            denied="Only the course's educators add videos",
        )
        video = await add_video_row(session, form.course_id, form.title, owner_id=user.id)
        head = await part.read_chunk(CHUNK)
        await stream_to_disk(part, head, storage.source(video.id), MAX_VIDEO_BYTES)
        await session.commit()
    await jobs.enqueue(video.id, "playable")
    return VideoOut.of(video)


@router.route("GET", "/videos/{video_id}", tag="videos", response=VideoOut, auth=False)
async def get_video(request: web.Request, db: Database, storage: VideoStorage) -> VideoOut:
    """One video you may watch."""
    identity = await current_identity(request)
    video_id = path_id(request, "video_id", "video")
    user = identity.user if identity else None
    async with db.session() as session:
        video = await may_watch(session, user, video_id)
        if video is None:
            raise not_found(f"video {video_id}")
        found = VideoOut.of(video, await failure_shown_to(session, user, video))
    return (await with_exports(storage, [found]))[0]


@router.route("PATCH", "/videos/{video_id}", tag="videos", body=VideoUpdate, response=VideoOut)
async def update_video(
    request: web.Request, body: VideoUpdate, db: Database, storage: VideoStorage
) -> VideoOut:
    """Edit title, description, tags or visibility."""
    user, video = await managed_video(request, db)
    async with db.session() as session:
        row = await edit_video(session, video.id, body.model_dump(exclude_none=True))
        await search_text.refresh(session, storage, row)
        await session.commit()
        updated = VideoOut.of(row, await failure_shown_to(session, user, row))
    return (await with_exports(storage, [updated]))[0]


@router.route("DELETE", "/videos/{video_id}", tag="videos")
async def delete_video(request: web.Request, db: Database, storage: VideoStorage) -> None:
    """Delete a video and its files."""
    _, video = await managed_video(request, db)
    async with db.session() as session:
        await remove_video_rows(session, video.id)
        await session.commit()
    await storage.remove(video.id)


@router.route("GET", "/videos/{video_id}/jobs", tag="videos", query=Page, response=JobList)
async def video_jobs(request: web.Request, query: Page, db: Database) -> JobList:
    """Processing jobs of a video and their progress, oldest first (its educators)."""
    _, video = await managed_video(request, db)
    async with db.session() as session:
        jobs, total = await jobs_of_video(session, video.id, query.limit, query.offset)
    return JobList.of((JobOut.model_validate(j, from_attributes=True) for j in jobs), total, query)


@router.route("POST", "/jobs/{job_id}/cancel", tag="videos", response=JobOut, errors=(409,))
async def cancel_job(request: web.Request, db: Database, jobs: Worker) -> JobOut:
    """Cancel a pending or running job; a running ffmpeg is ended."""
    user = await require_user(request)
    job_id = path_id(request, "job_id", "job")
    async with db.session() as session:
        found = await job_and_video(session, job_id)
        if found is None:
            raise not_found(f"job {job_id}")
        job, video = found
        await require_course(
            session,
            user,
            video.course_id,
            manage=True,
            denied="Only the course's educators cancel its jobs",
        )
    if not await jobs.queue.cancel(job_id):
        raise Problem(409, "conflict", "Conflict", f"job {job_id} is already {job.state}")
    async with db.session() as session:
        return JobOut.model_validate(await session.get(VodJob, job_id), from_attributes=True)


class Position(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seconds: float = Field(ge=0, le=24 * 3600, allow_inf_nan=False)


class PositionOut(BaseModel):
    seconds: float
    updated_at: datetime | None


async def _watchable(request: web.Request, db: Database) -> tuple[User, int]:
    user = await require_user(request)
    video_id = path_id(request, "video_id", "video")
    async with db.session() as session:
        if await may_watch(session, user, video_id) is None:
            raise not_found(f"video {video_id}")
    return user, video_id


@router.route("GET", "/videos/{video_id}/position", tag="videos", response=PositionOut)
async def get_position(request: web.Request, db: Database) -> PositionOut:
    """Where you stopped watching (0 if you have not started)."""
    user, video_id = await _watchable(request, db)
    async with db.session() as session:
        row = await watch_position(session, video_id, user.id)
    return PositionOut(
        seconds=row.seconds if row else 0.0, updated_at=row.updated_at if row else None
    )


@router.route(
    "PUT", "/videos/{video_id}/position", tag="videos", body=Position, response=PositionOut
)
async def put_position(request: web.Request, body: Position, db: Database) -> PositionOut:
    """Remember where you are; the player calls this every few seconds while playing."""
    user, video_id = await _watchable(request, db)
    async with db.session() as session:
        row = await save_position(session, video_id, user.id, body.seconds)
        await session.commit()
        saved = PositionOut(seconds=row.seconds, updated_at=row.updated_at)
        await complete_watched_units(session, video_id, user.id, body.seconds)
        return saved
