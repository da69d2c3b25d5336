"""The processing stages of a video, each one job kind.

``playable`` (fast lane) makes the video watchable within seconds: the download MP4 and its
remux into HLS. ``ladder`` and ``stills`` (slow lane) follow in the background; a source with
no picture (a lecture recorded with a microphone and slides) gets neither: its audio-only
source rendition is already what a weak network needs, and there is no frame to show. A recorded
lecture starts with ``recorded`` (fast lane): its segments become the source (video copied,
audio mixed) in the same ffmpeg run as the download and the HLS source rendition, and its
chapters, replay timeline and live captions (a WebVTT subtitle rendition) are written.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from classroom_server.db import Database, Video
from vod import search_text, subtitles
from vod.assembly import assemble
from vod.captions import GROUP, subtitles_media, write_captions
from vod.chapters import write_chapters
from vod.composition import composed
from vod.failure import Unprocessable
from vod.ffmpeg_run import run_ffmpeg
from vod.probe import MediaInfo, probe
from vod.recording_manifest import load_manifest, read_timeline
from vod.renditions import (
    audio_hls_args,
    copy_hls_args,
    download_args,
    recorded_outputs,
    rung_hls_args,
    rungs_for,
    still_args,
)
from vod.screens import has_screen
from vod.storage import VideoStorage

Enqueue = Callable[[int, str], Awaitable[None]]


@dataclass(frozen=True)
class JobContext:
    video_id: int
    database: Database
    storage: VideoStorage
    progress: Callable[[float], Awaitable[None]]
    enqueue: Enqueue


async def _info(ctx: JobContext) -> MediaInfo:
    return await asyncio.to_thread(probe, ctx.storage.source(ctx.video_id))


async def _update(ctx: JobContext, **fields: Any) -> Video:
    async with ctx.database.session() as session:
        video = await session.get(Video, ctx.video_id)
        if video is None:
            raise LookupError(f"video {ctx.video_id} is gone")
        for name, value in fields.items():
            setattr(video, name, value)
        await session.commit()
        return video


def _fresh_dir(path: Any) -> None:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)


async def _searchable(ctx: JobContext) -> None:
    """Its chapters, slides and captions become searchable in the library."""
    async with ctx.database.session() as session:
        video = await session.get(Video, ctx.video_id)
        if video is not None:
            await search_text.refresh(session, ctx.storage, video)
            await session.commit()


def write_master(storage: VideoStorage, video_id: int, renditions: list[dict[str, Any]]) -> None:
    """The master playlist from what is on disk: the video renditions given, the live captions
    and uploaded subtitles found (a subtitle upload rewrites it too)."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"]
    live = subtitles_media(storage, video_id)
    tracks = ([live] if live else []) + subtitles.media_lines(storage, video_id)
    lines += tracks
    captions = bool(tracks)
    for r in renditions:
        attrs = f"BANDWIDTH={r['bandwidth']}"
        if r.get("width") and r.get("height"):
            attrs += f",RESOLUTION={r['width']}x{r['height']}"
        if not r.get("height"):  # no picture: the audio variant, or an audio-only source
            attrs += ',CODECS="mp4a.40.2"'
        if captions:
            attrs += f',SUBTITLES="{GROUP}"'
        lines += [f'#EXT-X-STREAM-INF:{attrs},NAME="{r["name"]}"', f"hls/{r['name']}/index.m3u8"]
    storage.master(video_id).write_text("\n".join(lines) + "\n")


async def playable(ctx: JobContext) -> None:
    info = await _info(ctx)
    if info.video_codec is None and info.audio_codec is None:
        raise Unprocessable("the file has neither video nor audio")
    download = ctx.storage.download(ctx.video_id)
    await run_ffmpeg(
        download_args(ctx.storage.source(ctx.video_id), download, info),
        info.duration,
        lambda p: ctx.progress(p * 0.7),
    )
    out_dir = ctx.storage.rendition_dir(ctx.video_id, "source")
    await asyncio.to_thread(_fresh_dir, out_dir)
    await run_ffmpeg(
        copy_hls_args(download, out_dir), info.duration, lambda p: ctx.progress(70 + p * 0.3)
    )
    await _published(ctx, info)


async def _published(ctx: JobContext, info: MediaInfo) -> None:
    """The download and the HLS source rendition are written: the video is ready to watch."""
    bandwidth = info.bit_rate or 1_000_000
    source = {"name": "source", "height": info.height, "width": info.width, "bandwidth": bandwidth}
    await asyncio.to_thread(write_master, ctx.storage, ctx.video_id, [source])
    await _update(
        ctx,
        status="ready",
        duration_seconds=info.duration,
        width=info.width,
        height=info.height,
        renditions=[source],
    )
    if info.video_codec is not None:
        await ctx.enqueue(ctx.video_id, "stills")
        await ctx.enqueue(ctx.video_id, "ladder")


async def ladder(ctx: JobContext) -> None:
    info = await _info(ctx)
    source_path = ctx.storage.source(ctx.video_id)
    steps: list[tuple[str, list[str], dict[str, Any]]] = []
    for rung in rungs_for(info):
        out_dir = ctx.storage.rendition_dir(ctx.video_id, rung.name)
        width = (
            round(info.width * rung.height / info.height / 2) * 2
            if (info.width and info.height)
            else None
        )
        bandwidth = (int(rung.video_bitrate[:-1]) + int(rung.audio_bitrate[:-1])) * 1000
        steps.append(
            (
                rung.name,
                rung_hls_args(source_path, out_dir, rung),
                {"name": rung.name, "height": rung.height, "width": width, "bandwidth": bandwidth},
            )
        )
    if info.audio_codec:
        out_dir = ctx.storage.rendition_dir(ctx.video_id, "audio")
        steps.append(
            (
                "audio",
                audio_hls_args(source_path, out_dir),
                {"name": "audio", "height": None, "width": None, "bandwidth": 72_000},
            )
        )
    for index, (name, args, _) in enumerate(steps):
        await asyncio.to_thread(_fresh_dir, ctx.storage.rendition_dir(ctx.video_id, name))

        async def step_progress(p: float, index: int = index) -> None:
            await ctx.progress((index + p / 100) / len(steps) * 100)

        await run_ffmpeg(args, info.duration, step_progress)
    made = [rendition for _, _, rendition in steps]
    async with ctx.database.session() as session:
        video = await session.get(Video, ctx.video_id)
        source = [r for r in (video.renditions if video else []) if r["name"] == "source"]
    renditions = source + made
    await asyncio.to_thread(write_master, ctx.storage, ctx.video_id, renditions)
    await _update(ctx, renditions=renditions)


async def stills(ctx: JobContext) -> None:
    info = await _info(ctx)
    source = ctx.storage.source(ctx.video_id)
    at = min(info.duration * 0.1, 30.0)
    await run_ffmpeg(still_args(source, ctx.storage.thumbnail(ctx.video_id), at, 280, 157))
    await ctx.progress(50)
    await run_ffmpeg(still_args(source, ctx.storage.preview(ctx.video_id), at, 850, 480))


async def recorded(ctx: JobContext) -> None:
    manifest = await asyncio.to_thread(load_manifest, ctx.storage, ctx.video_id)
    if manifest is None:
        raise Unprocessable(f"video {ctx.video_id} has no recording to assemble")
    source = ctx.storage.source(ctx.video_id)
    hls_dir = ctx.storage.rendition_dir(ctx.video_id, "source")
    await asyncio.to_thread(_fresh_dir, hls_dir)
    # A recording with neither picture nor sound raises NothingRecorded (Unprocessable): the
    # worker fails the video at once, as it does any first stage that gives up. The one run
    # that mixes the audio also writes the download and the HLS rendition (no remuxes after).
    outputs = recorded_outputs(source, ctx.storage.download(ctx.video_id), hls_dir)
    plan = await assemble(manifest, source, lambda p: ctx.progress(p * 0.98), outputs)
    entries = await asyncio.to_thread(read_timeline, manifest.timeline)
    made = await write_chapters(
        ctx.database, ctx.storage, ctx.video_id, entries, plan.zero, plan.duration
    )
    await asyncio.to_thread(
        write_captions, ctx.storage, ctx.video_id, entries, plan.zero, plan.duration
    )
    await _searchable(ctx)
    await _published(ctx, await _info(ctx))
    # Slides were shown or a screen shared: the export with them and the camera, after stage
    # 2's others (the composed export is the only place a shared screen appears).
    if made or has_screen(manifest):
        await ctx.enqueue(ctx.video_id, "composed")


STAGES: dict[str, tuple[str, Callable[[JobContext], Coroutine[Any, Any, None]]]] = {
    "playable": ("fast", playable),
    "recorded": ("fast", recorded),
    "stills": ("slow", stills),
    "ladder": ("slow", ladder),
    "composed": ("slow", composed),
}
