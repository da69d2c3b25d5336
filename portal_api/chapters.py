"""Chapters on any video: whoever may watch it reads them; its educators write them (an upload's
first chapters, or a recorded lecture's slide-change chapters renamed, merged or moved)."""

from __future__ import annotations

import asyncio

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from classroom_server.db import Database
from classroom_server.web_problems import Problem
from portal_api.router import ApiRouter
from portal_api.videos import managed_video, watchable_video_id
from vod import chapter_edit, search_text
from vod.storage import VideoStorage

router = ApiRouter()


class ChapterIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: float = Field(ge=0, le=86_400, allow_inf_nan=False, description="seconds")
    title: str = Field(min_length=1, max_length=200, pattern=r"\S")


class ChaptersIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    chapters: list[ChapterIn] = Field(
        max_length=chapter_edit.MAX_CHAPTERS, description="in order of their start"
    )


class ChapterOut(BaseModel):
    start: float
    end: float
    title: str
    deck_id: int | None = Field(description="the slide showing when it starts, if any")
    page: int | None
    image: str | None


class ChapterList(BaseModel):
    items: list[ChapterOut]


async def _listed(storage: VideoStorage, video_id: int) -> ChapterList:
    chapters = await asyncio.to_thread(chapter_edit.read, storage, video_id)
    return ChapterList(items=[ChapterOut.model_validate(c) for c in chapters])


@router.route("GET", "/videos/{video_id}/chapters", tag="videos", response=ChapterList, auth=False)
async def list_chapters(request: web.Request, db: Database, storage: VideoStorage) -> ChapterList:
    """A video's chapters in order (whoever may watch it)."""
    video_id = await watchable_video_id(request, db)
    return await _listed(storage, video_id)


@router.route(
    "PUT",
    "/videos/{video_id}/chapters",
    tag="videos",
    body=ChaptersIn,
    response=ChapterList,
    errors=(409, 422),
)
async def put_chapters(
    request: web.Request, body: ChaptersIn, db: Database, storage: VideoStorage
) -> ChapterList:
    """Replace the chapters (an empty list removes them); the library search reads the titles."""
    _, video = await managed_video(request, db)
    if video.status != "ready":
        # Processing writes a recorded lecture's chapters itself and would overwrite these.
        raise Problem(409, "not_ready", "Video not ready", "Chapters are set on a ready video")
    marks = [chapter_edit.Mark(c.start, c.title) for c in body.chapters]
    duration = video.duration_seconds or 0.0
    try:
        await asyncio.to_thread(chapter_edit.save, storage, video.id, marks, duration)
    except chapter_edit.BadChapters as exc:
        raise Problem(422, "invalid_chapters", "Invalid chapters", str(exc)) from exc
    await search_text.refresh_stored(db, storage, video.id)
    return await _listed(storage, video.id)
