"""A finished recording becomes a library video of the lecture's course, queued for processing.

The library gets a ``RecordingManifest`` (vod's plain description of the files), saved in its
own storage before the job is queued: it never reads this package's directory layout.

Order matters for crashes: the video row is committed first, its id is then written into
``recording.json``, then the ``recorded`` job is queued, then the state says ``handed_off``.
Handing off again resumes from wherever a crash stopped it: a recorded video id whose video
exists is reused (and queued if no job was), otherwise a new video is made. A recording in
which nothing was ever written (started with no media) becomes no video at all.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TextIO

from sqlalchemy import select

from classroom_server.db import Database, Video, VodJob
from recording.directory import RecordingDirectory
from vod.library import add_video_row
from vod.recording_manifest import RecordedTrack, RecordingManifest, save_manifest
from vod.storage import VideoStorage

Enqueue = Callable[[int, str], Awaitable[object]]
STAGE = "recorded"


def holds_media(directory: RecordingDirectory) -> bool:
    return any(
        segment.stat().st_size > 0
        for track in directory.track_dirs()
        for segment in track.glob("*.mkv")
    )


def manifest_of(directory: RecordingDirectory) -> RecordingManifest:
    """What the library needs of the recording (blocking: reads each ``track.json``)."""
    tracks = []
    for track_dir in directory.track_dirs():
        try:
            meta = json.loads((track_dir / "track.json").read_text())
        except (OSError, ValueError):
            continue  # created, then the disk filled: nothing was recorded in it
        tracks.append(_track(track_dir, meta))
    return RecordingManifest(tuple(tracks), directory.timeline_file, directory.path / "work")


def _track(track_dir: Path, meta: dict[str, object]) -> RecordedTrack:
    kind = str(meta["kind"])
    return RecordedTrack(
        number=int(track_dir.name),
        kind=kind,
        codec=str(meta["codec"]),
        participant=str(meta.get("participant", track_dir.name)),
        # Recordings made before sources were kept: a video track was a camera.
        source=str(meta.get("source", "camera" if kind == "video" else "microphone")),
        segments=tuple(sorted(track_dir.glob("*.mkv"))),
    )


async def hand_off(
    database: Database, enqueue: Enqueue, directory: RecordingDirectory
) -> int | None:
    """Queues the recording's processing; returns the library video's id (None: empty, or
    another process is handing it off right now, e.g. two servers starting at once)."""
    lock = _lock(directory)
    if lock is None:
        return None
    try:
        return await _hand_off(database, enqueue, directory)
    finally:
        lock.close()  # closing releases the lock


def _lock(directory: RecordingDirectory) -> TextIO | None:
    lock = (directory.path / "handoff.lock").open("w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        return None
    return lock


async def _hand_off(
    database: Database, enqueue: Enqueue, directory: RecordingDirectory
) -> int | None:
    if not await asyncio.to_thread(holds_media, directory):
        await asyncio.to_thread(directory.update_state, state="empty")
        return None
    state = await asyncio.to_thread(directory.read_state)
    video_id = state.get("video_id")
    if isinstance(video_id, int) and await _video_exists(database, video_id, directory.lecture_id):
        if not await _has_job(database, video_id):
            await _queue(enqueue, directory, video_id)
        await asyncio.to_thread(directory.update_state, state="handed_off")
        return video_id
    async with database.session() as session:
        video = await add_video_row(
            session,
            course_id=int(state["course_id"]),
            title=str(state.get("title") or "Lecture recording")[:200],
            lecture_id=directory.lecture_id,
        )
        await session.commit()
        video_id = video.id
    await asyncio.to_thread(directory.update_state, video_id=video_id)
    await _queue(enqueue, directory, video_id)
    await asyncio.to_thread(directory.update_state, state="handed_off")
    return video_id


async def _queue(enqueue: Enqueue, directory: RecordingDirectory, video_id: int) -> None:
    """The manifest goes into the library's storage first: the job reads nothing else."""
    manifest = await asyncio.to_thread(manifest_of, directory)
    storage = VideoStorage(directory.data_dir)
    await asyncio.to_thread(save_manifest, storage, video_id, manifest)
    await enqueue(video_id, STAGE)


async def _video_exists(database: Database, video_id: int, lecture_id: int) -> bool:
    async with database.session() as session:
        video = await session.get(Video, video_id)
    return video is not None and video.lecture_id == lecture_id


async def _has_job(database: Database, video_id: int) -> bool:
    async with database.session() as session:
        job = await session.scalar(
            select(VodJob.id).where(VodJob.video_id == video_id, VodJob.kind == STAGE).limit(1)
        )
    return job is not None
