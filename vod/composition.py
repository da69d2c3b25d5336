"""The composed MP4 export: the lecture's slides with their annotations, and the camera in a
corner, in one file to watch offline.

The player draws slides and ink beside the video from ``timeline.json``; this draws the same
(see :mod:`vod.slide_states` and :mod:`vod.composition_pictures`) into pictures, one per visible
change, not one per frame: a lecture changes what its slide area shows a few hundred times,
and a picture is drawn once even when it comes back. One ffmpeg run then makes the video: a
constant-rate background, each picture laid over it from its start (an ffconcat list with
durations), the recording's picture scaled into the bottom-right corner, the recording's
audio copied, H.264 encoded once with ``+faststart``. Its ``-progress`` is the job's percent.

Slides narrower than 16:9 sit at the left, so a 4:3 deck leaves the camera a band of its own.
While the educator shared a screen (:mod:`vod.screens`), the main area shows the screen
instead, scaled to fit the same way: each screen track is one more input, its frames at their
media times, laid over the slides with ``enable`` only between its first and last frame, so
the camera stays in the corner and the slides come back when the share ends.
Recorded lectures whose timeline shows a slide or that shared a screen get this job; the file
appears under its final name only once complete, so its presence is what the API reports.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import av

from classroom_server.slide_decks import page_image_path
from vod.chapters import timeline_path
from vod.composition_pictures import BACKGROUND, FRAME, PageImage, Painter
from vod.ffmpeg_run import Progress, run_ffmpeg
from vod.probe import MediaInfo, probe
from vod.recording_manifest import load_manifest
from vod.screens import Screen
from vod.screens import screens as shared_screens
from vod.slide_states import bounded_states
from vod.storage import VideoStorage

if TYPE_CHECKING:
    from vod.pipeline import JobContext

PIP_BOX = (288, 216)  # the camera fits inside, keeping its shape: beside a 4:3 slide
MARGIN = 16
DEFAULT_FPS = 25
FPS_RANGE = (10, 30)
DRAWING_SHARE = 10.0  # percent of the job's progress given to drawing the pictures
ScreensOf = Callable[[Path], list[Screen]]  # writes their concat lists into the work dir


def composed_path(storage: VideoStorage, video_id: int) -> Path:
    return storage.video_dir(video_id) / "composed.mp4"


def _work_dir(storage: VideoStorage, video_id: int) -> Path:
    return storage.video_dir(video_id) / "composing"


def composed_ids(storage: VideoStorage, video_ids: list[int]) -> set[int]:
    """Which of the videos have their export (blocking: a stat each)."""
    return {v for v in video_ids if composed_path(storage, v).is_file()}


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "'\\''") + "'"


def concat_list(pictures: list[tuple[float, Path]], duration: float) -> str:
    """An ffconcat list showing each picture from its start until the next one's."""
    lines = ["ffconcat version 1.0"]
    for index, (start, path) in enumerate(pictures):
        end = pictures[index + 1][0] if index + 1 < len(pictures) else duration
        lines += [f"file {_quoted(path)}", f"duration {max(end - start, 0.001):.6f}"]
    return "\n".join(lines) + "\n"


def screen_filters(screens: list[Screen], room_for_camera: bool) -> tuple[list[str], str]:
    """Each screen (input 2, 3, ...) fitted into the frame on the background, over the slides
    only while it was shared; ``[paged]`` in, the returned label out."""
    width, height = FRAME
    x = "0" if room_for_camera else "(ow-iw)/2"
    graph = []
    label = "paged"
    for index, screen in enumerate(screens):
        graph += [
            f"[{index + 2}:v]scale={width}:{height}:force_original_aspect_ratio=decrease"
            f":force_divisible_by=2,setsar=1,pad={width}:{height}:{x}:(oh-ih)/2"
            f":color=0x{bytes(BACKGROUND).hex()}[screen{index}]",
            f"[{label}][screen{index}]overlay=0:0:eof_action=pass"
            f":enable='between(t,{screen.start:.3f},{screen.end:.3f})'[shown{index}]",
        ]
        label = f"shown{index}"
    return graph, label


def compose_args(
    concat: Path,
    source: Path,
    target: Path,
    info: MediaInfo,
    fps: int,
    screens: list[Screen] | None = None,
) -> list[str]:
    """Background at ``fps`` for the whole length, pictures over it, screens over those while
    shared, camera in the corner."""
    width, height = FRAME
    screens = screens or []
    shown, main = screen_filters(screens, room_for_camera=info.video_codec is not None)
    graph = [
        f"color=c=0x{bytes(BACKGROUND).hex()}:s={width}x{height}:r={fps}"
        f":d={info.duration:.3f}[base]",
        "[base][0:v]overlay=0:0:eof_action=repeat[paged]",
        *shown,
    ]
    screen_inputs = []
    for screen in screens:
        listed = str(screen.input.concat_list)
        offset = ["-itsoffset", f"{screen.input.offset:.6f}"]
        screen_inputs += [*offset, "-f", "concat", "-safe", "0", "-i", listed]
    if info.video_codec:
        graph += [
            f"[1:v:0]scale={PIP_BOX[0]}:{PIP_BOX[1]}:force_original_aspect_ratio=decrease"
            ":force_divisible_by=2,setsar=1[pip]",
            f"[{main}][pip]overlay=W-w-{MARGIN}:H-h-{MARGIN}:eof_action=pass[framed]",
        ]
    else:
        graph.append(f"[{main}]null[framed]")
    graph.append("[framed]format=yuv420p[v]")
    if info.audio_codec == "aac":
        audio = ["-map", "1:a:0", "-c:a", "copy"]
    elif info.audio_codec:
        audio = ["-map", "1:a:0", "-c:a", "aac", "-b:a", "128k"]
    else:
        audio = []
    return [
        "-f", "concat", "-safe", "0", "-i", str(concat),
        "-i", str(source), *screen_inputs,
        "-filter_complex", ";".join(graph),
        "-map", "[v]", *audio,
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-g", str(fps * 4),
        "-t", f"{info.duration:.3f}", "-movflags", "+faststart", "-f", "mp4", str(target),
    ]  # fmt: skip


def camera_fps(source: Path) -> int:
    """The recording's frame rate, within reason (blocking)."""
    try:
        with av.open(str(source)) as container:
            stream = next(iter(container.streams.video), None)
            rate = stream.average_rate if stream is not None else None
    except (av.FFmpegError, OSError):
        rate = None
    if not rate:
        return DEFAULT_FPS
    return max(FPS_RANGE[0], min(FPS_RANGE[1], round(float(rate))))


async def compose(
    timeline: dict[str, Any],
    source: Path,
    target: Path,
    work: Path,
    page_image: PageImage,
    progress: Progress | None = None,
    screens_of: ScreensOf | None = None,
) -> bool:
    """Writes the export to ``target``; False (and nothing written) when no slide was shown
    and no screen shared."""
    info = await asyncio.to_thread(probe, source)
    fps = await asyncio.to_thread(camera_fps, source)
    states = await asyncio.to_thread(bounded_states, timeline, info.duration, 1 / fps)
    partial = target.with_name(target.stem + "-partial.mp4")
    await asyncio.to_thread(_clear, work, partial)
    await asyncio.to_thread(work.mkdir, parents=True)
    try:
        screens = await asyncio.to_thread(screens_of, work) if screens_of else []
        screens = [s for s in screens if s.start < info.duration and s.end > s.start]
        if not states and not screens:
            return False
        painter = Painter(work, page_image, room_for_camera=info.video_codec is not None)
        pictures: list[tuple[float, Path]] = []
        if not states or states[0].start > 0:
            pictures.append((0.0, await asyncio.to_thread(painter.blank)))
        for index, state in enumerate(states):
            pictures.append((state.start, await asyncio.to_thread(painter.picture, state)))
            if index % 20 == 0:
                await _tell(progress, DRAWING_SHARE * index / len(states))
        concat = work / "slides.ffconcat"
        await asyncio.to_thread(concat.write_text, concat_list(pictures, info.duration))
        share = 100 - DRAWING_SHARE

        async def encoding(percent: float) -> None:
            await _tell(progress, DRAWING_SHARE + percent * share / 100)

        args = compose_args(concat, source, partial, info, fps, screens)
        await run_ffmpeg(args, info.duration, encoding)
        await asyncio.to_thread(os.replace, partial, target)
    finally:
        await asyncio.to_thread(_clear, work, partial)  # failed or cancelled: nothing half-made
    return True


def _clear(work: Path, partial: Path) -> None:
    shutil.rmtree(work, ignore_errors=True)
    partial.unlink(missing_ok=True)


async def _tell(progress: Progress | None, percent: float) -> None:
    if progress is None:
        return
    outcome = progress(round(percent, 1))
    if outcome is not None:
        await outcome


async def composed(ctx: JobContext) -> None:
    """The job: a recorded lecture's export, from its source and ``timeline.json``."""
    path = timeline_path(ctx.storage, ctx.video_id)
    try:
        timeline = json.loads(await asyncio.to_thread(path.read_text))
    except FileNotFoundError:
        return  # an upload, or a lecture recorded without its timeline: nothing to compose
    data_dir = ctx.storage.root.parent
    await compose(
        timeline,
        ctx.storage.source(ctx.video_id),
        composed_path(ctx.storage, ctx.video_id),
        _work_dir(ctx.storage, ctx.video_id),
        lambda deck, page: page_image_path(data_dir, deck, page),
        ctx.progress,
        await _screens_of(ctx),
    )


async def _screens_of(ctx: JobContext) -> ScreensOf | None:
    """The recording's shared screens, when the video is a lecture recording."""
    manifest = await asyncio.to_thread(load_manifest, ctx.storage, ctx.video_id)
    if manifest is None:
        return None
    return lambda work: shared_screens(manifest, work)
