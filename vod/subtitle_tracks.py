"""What follows a change to a video's uploaded subtitles, shared by the REST routes and the
BBB text-track calls: players see the tracks there are now (the master playlist lists them)
and the library search finds their words."""

from __future__ import annotations

import asyncio

from classroom_server.db import Database, Video
from vod import search_text
from vod.pipeline import write_master
from vod.storage import VideoStorage


def republish(storage: VideoStorage, video: Video) -> None:
    """The master playlist lists the tracks there are now (a video still processing gets
    them when its own stages write it). Blocking: writes the disk."""
    if video.status == "ready" and video.renditions:
        write_master(storage, video.id, video.renditions)


async def tracks_changed(database: Database, storage: VideoStorage, video: Video) -> None:
    await asyncio.to_thread(republish, storage, video)
    await search_text.refresh_stored(database, storage, video.id)
