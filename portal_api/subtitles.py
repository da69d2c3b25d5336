"""Subtitles on any video, one WebVTT track per language: its educators upload, replace and
remove them; whoever may watch the video lists them (the player adds each as a track)."""

from __future__ import annotations

import asyncio

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from classroom_server.db import Database
from classroom_server.web_problems import Problem, not_found
from portal_api.router import ApiRouter
from portal_api.videos import managed_video, watchable_video_id
from vod import subtitles
from vod.storage import VideoStorage
from vod.subtitle_tracks import tracks_changed

router = ApiRouter()
LANGUAGE_PATH = {"language": "string"}


class SubtitlesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=subtitles.MAX_CHARS, description="a WebVTT track")


class SubtitleTrack(BaseModel):
    language: str
    url: str


class SubtitleList(BaseModel):
    items: list[SubtitleTrack]


def _tracks(storage: VideoStorage, video_id: int) -> SubtitleList:
    return SubtitleList(
        items=[
            SubtitleTrack(language=lang, url=f"/vod/{video_id}/hls/sub-{lang}/{subtitles.TRACK}")
            for lang in subtitles.languages(storage, video_id)
        ]
    )


def _language(request: web.Request) -> str:
    try:
        return subtitles.language_of(request.match_info["language"])
    except subtitles.BadSubtitles as exc:
        raise Problem(422, "invalid_language", "Invalid language", str(exc)) from exc


@router.route(
    "GET", "/videos/{video_id}/subtitles", tag="videos", response=SubtitleList, auth=False
)
async def list_subtitles(request: web.Request, db: Database, storage: VideoStorage) -> SubtitleList:
    """A video's subtitle tracks (whoever may watch it)."""
    video_id = await watchable_video_id(request, db)
    return await asyncio.to_thread(_tracks, storage, video_id)


@router.route(
    "PUT",
    "/videos/{video_id}/subtitles/{language}",
    tag="videos",
    body=SubtitlesIn,
    response=SubtitleList,
    path_types=LANGUAGE_PATH,
    errors=(422,),
)
async def put_subtitles(
    request: web.Request, body: SubtitlesIn, db: Database, storage: VideoStorage
) -> SubtitleList:
    """Add or replace the subtitles in one language (a BCP 47 tag such as ar or en)."""
    _, video = await managed_video(request, db)
    language = _language(request)
    duration = video.duration_seconds or 0.0
    try:
        await asyncio.to_thread(subtitles.save, storage, video.id, language, body.text, duration)
    except subtitles.BadSubtitles as exc:
        raise Problem(422, "invalid_subtitles", "Invalid subtitles", str(exc)) from exc
    await tracks_changed(db, storage, video)
    return await asyncio.to_thread(_tracks, storage, video.id)


@router.route(
    "DELETE",
    "/videos/{video_id}/subtitles/{language}",
    tag="videos",
    path_types=LANGUAGE_PATH,
    errors=(422,),
)
async def delete_subtitles(request: web.Request, db: Database, storage: VideoStorage) -> None:
    """Remove the subtitles in one language."""
    _, video = await managed_video(request, db)
    language = _language(request)
    if not await asyncio.to_thread(subtitles.remove, storage, video.id, language):
        raise not_found(f"{language} subtitles")
    await tracks_changed(db, storage, video)
