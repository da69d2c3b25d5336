"""Playback files: playlists, segments, the MP4 downloads and stills, behind access checks.

A request names a video id, a rendition from a fixed list and a file name matching a fixed
pattern; the path on disk is built from those, so nothing outside the library can be read.
aiohttp's FileResponse answers Range requests, which seeking in the MP4 needs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from classroom_server.db import Database
from classroom_server.web_auth import current_identity
from classroom_server.web_ids import path_id
from classroom_server.web_problems import forbidden, not_found
from classroom_server.web_ranges import file_response
from vod import subtitles
from vod.chapters import chapters_path, timeline_path
from vod.composition import composed_path
from vod.library import may_watch
from vod.storage import RENDITIONS, VideoStorage

SEGMENT_FILE = re.compile(
    r"^(index\.m3u8|init\.mp4|seg[0-9]{5}\.m4s|captions\.vtt|subtitles\.vtt)$"
)
IMMUTABLE = "private, max-age=31536000, immutable"
FRESH = "private, no-cache"


async def _file(
    request: web.Request,
    path: Path,
    cache: str,
    download_name: str | None = None,
    content_type: str | None = None,
) -> web.FileResponse:
    headers = {"Cache-Control": cache}
    if content_type:
        headers["Content-Type"] = content_type
    if download_name:
        headers["Content-Disposition"] = f'attachment; filename="{download_name}"'
    return await file_response(request, path, headers)


@dataclass(frozen=True)
class VideoFiles:
    """The routes' handlers, handed by the composition root the two things they use: the
    database (who may watch) and the library's storage (where the files are)."""

    database: Database
    storage: VideoStorage

    async def _allowed(self, request: web.Request) -> int:
        video_id = path_id(request, "video_id", "video")
        identity = await current_identity(request)
        async with self.database.session() as session:
            video = await may_watch(session, identity.user if identity else None, video_id)
        if video is None:
            raise not_found(f"video {video_id}") if identity else forbidden("Log in to watch")
        return video_id

    async def master(self, request: web.Request) -> web.FileResponse:
        video_id = await self._allowed(request)
        return await _file(request, self.storage.master(video_id), FRESH)

    async def rendition_file(self, request: web.Request) -> web.FileResponse:
        video_id = await self._allowed(request)
        rendition, name = request.match_info["rendition"], request.match_info["name"]
        if not SEGMENT_FILE.match(name):
            raise not_found("that file")
        if rendition in RENDITIONS:
            path = self.storage.rendition_dir(video_id, rendition) / name
        elif subtitles.RENDITION.match(rendition):
            path = subtitles.track_dir(self.storage, video_id, rendition.removeprefix("sub-"))
            path /= name
        else:
            raise not_found("that file")
        # Playlists change as renditions are added, and uploaded subtitles are edited.
        editable = name.endswith((".m3u8", ".vtt"))
        return await _file(request, path, FRESH if editable else IMMUTABLE)

    async def download(self, request: web.Request) -> web.FileResponse:
        video_id = await self._allowed(request)
        return await _file(
            request,
            self.storage.download(video_id),
            IMMUTABLE,
            download_name=f"qou-video-{video_id}.mp4",
        )

    async def composed(self, request: web.Request) -> web.FileResponse:
        """The export with slides and camera; 404 until its job has made it."""
        video_id = await self._allowed(request)
        return await _file(
            request,
            composed_path(self.storage, video_id),
            FRESH,
            download_name=f"qou-video-{video_id}-slides.mp4",
        )

    async def still(self, request: web.Request) -> web.FileResponse:
        video_id = await self._allowed(request)
        path = (
            self.storage.thumbnail(video_id)
            if request.match_info["kind"] == "thumbnail"
            else self.storage.preview(video_id)
        )
        return await _file(request, path, FRESH)

    async def replay_file(self, request: web.Request) -> web.FileResponse:
        """A recorded lecture's chapters (WebVTT) or replay timeline (JSON)."""
        video_id = await self._allowed(request)
        if request.match_info["name"] == "chapters.vtt":
            path = chapters_path(self.storage, video_id)
            return await _file(request, path, FRESH, content_type="text/vtt")
        path = timeline_path(self.storage, video_id)
        return await _file(request, path, FRESH, content_type="application/json")


def setup_files(app: web.Application, files: VideoFiles) -> None:
    app.router.add_get("/vod/{video_id}/master.m3u8", files.master)
    app.router.add_get("/vod/{video_id}/hls/{rendition}/{name}", files.rendition_file)
    app.router.add_get("/vod/{video_id}/download.mp4", files.download)
    app.router.add_get("/vod/{video_id}/composed.mp4", files.composed)
    app.router.add_get("/vod/{video_id}/{kind:thumbnail|preview}.jpg", files.still)
    app.router.add_get("/vod/{video_id}/{name:chapters\\.vtt|timeline\\.json}", files.replay_file)
