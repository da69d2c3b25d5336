"""A recording's segments -> one source file for the library, copying the video.

The recording arrives as a ``RecordingManifest`` (what the recorder handed over); nothing
here knows how the recorder keeps its files.

One ffmpeg run reads each track's segments, across all takes, through the concat demuxer:
every segment but the last gets a ``duration`` equal to the distance to the next segment's
first frame, which makes the demuxer give each frame its recorded media time again (gaps
included), with no intermediate file and no pass over the packets in Python. The video is
stream-copied when it is H.264 (VP8 is encoded to H.264 once, here); every speaker's Opus
track is placed on the video's timeline (``-itsoffset``), mixed with ``amix`` and encoded once
to AAC. The library's ``playable`` stage then copies both into the MP4 download and the HLS
rendition.

The picture is the longest camera track recorded (a shared screen only when no camera was
recorded), continued by the same participant's other tracks of that codec that do not overlap
it (a camera published again after a page reload); the other video tracks stay on disk, and a
shared screen among them is shown in the composed export (:mod:`vod.screens`), which
keeps the camera in its corner. A
recording with no video track at all (microphone and slides) becomes an audio-only source:
the same mix, encoded once; the library makes it an audio-only video.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av

from vod.failure import Unprocessable
from vod.ffmpeg_run import Progress, run_ffmpeg
from vod.recording_manifest import SCREEN, RecordedTrack, RecordingManifest

# Speech, all speakers mixed into one channel: mono halves the AAC encode, which is most of
# stage 1's time (ffmpeg's AAC encoder runs at ~100x real time on one core; the video is
# only copied).
AUDIO_BITRATE = "96k"
AUDIO_CHANNELS = "1"


class NothingRecorded(Unprocessable):
    """Neither picture nor sound was recorded: no retry will add one."""


@dataclass(frozen=True)
class TrackSpan:
    number: int  # the track's, in the manifest
    kind: str
    codec: str
    participant: str
    source: str  # camera or screen, as the SFU catalogue named the publication
    first: float  # media seconds of the first readable frame
    last: float
    segments: tuple[Path, ...]


def _segments(track: RecordedTrack) -> tuple[Path, ...]:
    return tuple(p for p in track.segments if p.is_file() and p.stat().st_size > 0)


def _times(segment: Path) -> list[float]:
    """Media seconds of a segment's frames; a file cut off by a crash yields what was complete."""
    with _opened(segment) as packets:
        return [_seconds(p) for p in packets]


def _seconds(packet: av.Packet[av.stream.Stream]) -> float:
    return float((packet.pts or 0) * packet.time_base) if packet.time_base else 0.0


class _opened:
    """A segment's packets, usable only while the file is open (PyAV frees them with it)."""

    def __init__(self, segment: Path) -> None:
        self._segment = segment
        self._container: av.container.InputContainer | None = None

    def __enter__(self) -> Iterator[av.Packet[av.stream.Stream]]:
        try:
            self._container = av.open(str(self._segment))
        except (av.FFmpegError, OSError):
            return iter(())
        return self._read(self._container)

    @staticmethod
    def _read(container: av.container.InputContainer) -> Iterator[av.Packet[av.stream.Stream]]:
        if not container.streams:
            return
        try:
            for packet in container.demux(container.streams[0]):
                if packet.size and packet.pts is not None:
                    yield packet
        except (av.FFmpegError, EOFError):
            return

    def __exit__(self, *_: object) -> None:
        if self._container is not None:
            self._container.close()


def span(track: RecordedTrack) -> TrackSpan | None:
    """Where a track sits on the media timeline, read from its first and last segment."""
    segments = _segments(track)
    first = next((t for t in map(_times, segments) if t), None)
    last = next((t for t in map(_times, reversed(segments)) if t), None)
    if first is None or last is None:
        return None
    return TrackSpan(
        track.number,
        track.kind,
        track.codec,
        track.participant,
        track.source,
        first[0],
        last[-1],
        segments,
    )


@dataclass(frozen=True)
class Plan:
    """What goes into the source; no video tracks means an audio-only recording (microphone
    and slides, as educators on weak links often lecture), timed by its earliest speaker."""

    video: tuple[TrackSpan, ...]  # in time order, one codec, not overlapping; may be empty
    audio: tuple[TrackSpan, ...]

    @property
    def zero(self) -> float:
        if self.video:
            return self.video[0].first
        return min(a.first for a in self.audio)

    @property
    def codec(self) -> str | None:
        return self.video[0].codec if self.video else None

    @property
    def duration(self) -> float:
        if self.video:
            return self.video[-1].last - self.zero
        return max(a.last for a in self.audio) - self.zero


def picture(videos: list[TrackSpan]) -> tuple[TrackSpan, ...]:
    """The longest camera track and the same participant's non-overlapping ones around it.

    A screen shared for most of a lecture would otherwise be the picture and leave the
    camera out of the video and the export; it is the picture only when no camera was on."""
    cameras = [s for s in videos if s.source != SCREEN] or videos
    by_length = sorted(cameras, key=lambda s: (-(s.last - s.first), s.number))
    main = by_length[0]
    chosen = [main]
    for other in by_length[1:]:
        if other.participant != main.participant or other.codec != main.codec:
            continue
        if all(other.last < c.first or other.first > c.last for c in chosen):
            chosen.append(other)
    return tuple(sorted(chosen, key=lambda s: s.first))


def plan(manifest: RecordingManifest) -> Plan:
    spans = [s for s in map(span, manifest.tracks) if s is not None]
    videos = [s for s in spans if s.kind == "video"]
    if not videos:
        audio_only = tuple(s for s in spans if s.kind == "audio")
        if not audio_only:
            raise NothingRecorded("the recording holds neither video nor audio")
        return Plan((), audio_only)
    video = picture(videos)
    audio = tuple(s for s in spans if s.kind == "audio" and s.last > video[0].first)
    return Plan(video, audio)


@dataclass(frozen=True)
class Input:
    concat_list: Path
    offset: float  # where its first frame sits, in seconds from the video's first frame


def _first_time(segment: Path) -> float | None:
    with _opened(segment) as packets:
        first = next(packets, None)
        return _seconds(first) if first is not None else None


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "'\\''") + "'"


def concat_input(tracks: tuple[TrackSpan, ...], list_path: Path, zero: float) -> Input | None:
    """An ffconcat list of the tracks' segments that restores their media times."""
    entries = []
    for segment in (s for track in tracks for s in track.segments):
        first = _first_time(segment)
        if first is not None:
            entries.append((segment, first))
    if not entries:
        return None
    lines = ["ffconcat version 1.0"]
    for index, (segment, first) in enumerate(entries):
        lines.append(f"file {_quoted(segment)}")
        if index + 1 < len(entries):
            lines.append(f"duration {entries[index + 1][1] - first:.6f}")
    list_path.write_text("\n".join(lines) + "\n")
    return Input(list_path, entries[0][1] - zero)


CONCAT = ["-f", "concat", "-safe", "0"]  # absolute paths, all built by the recorder


def mix_args(
    plan: Plan,
    video_input: Input,
    audio_inputs: list[Input],
    target: Path,
    output: list[str] | None = None,
) -> list[str]:
    """Video copied (H.264) or encoded once (VP8); every audio track mixed and encoded once.

    ``output`` replaces the Matroska file at ``target`` (the library writes all its files from
    this one run)."""
    output = output or ["-f", "matroska", str(target)]
    inputs = ["-copyts", *CONCAT, "-i", str(video_input.concat_list)]
    for audio in audio_inputs:
        inputs += ["-itsoffset", f"{audio.offset:.6f}", *CONCAT, "-i", str(audio.concat_list)]
    if plan.codec == "h264":
        video = ["-c:v", "copy"]
    else:
        video = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
                 "-force_key_frames", "expr:gte(t,n_forced*4)"]  # fmt: skip
    if not audio_inputs:
        return [*inputs, "-map", "0:v", *video, "-an", *output]
    return [
        *inputs, "-filter_complex", mix_graph(1, len(audio_inputs)),
        "-map", "0:v", "-map", "[mix]", *video,
        "-c:a", "aac", "-b:a", AUDIO_BITRATE, "-ac", AUDIO_CHANNELS,
        "-t", f"{plan.duration + 0.1:.3f}", *output,
    ]  # fmt: skip


def mix_graph(first_input: int, count: int) -> str:
    """Gaps (a speaker who joined late, a take without them) become silence, in place; then
    every speaker is summed into ``[mix]``."""
    pads = "".join(
        f"[{first_input + i}:a]aresample=48000:async=1:first_pts=0[a{i}];" for i in range(count)
    )
    if count == 1:
        return pads + "[a0]anull[mix]"
    mixed = "".join(f"[a{i}]" for i in range(count))
    return pads + f"{mixed}amix=inputs={count}:duration=longest:normalize=0[mix]"


def audio_only_args(
    plan: Plan, audio_inputs: list[Input], target: Path, output: list[str] | None = None
) -> list[str]:
    """No picture: the speakers mixed and encoded once, as :func:`mix_args` does beside a video."""
    output = output or ["-f", "matroska", str(target)]
    inputs = ["-copyts"]
    for audio in audio_inputs:
        inputs += ["-itsoffset", f"{audio.offset:.6f}", *CONCAT, "-i", str(audio.concat_list)]
    return [
        *inputs, "-filter_complex", mix_graph(0, len(audio_inputs)), "-map", "[mix]", "-vn",
        "-c:a", "aac", "-b:a", AUDIO_BITRATE, "-ac", AUDIO_CHANNELS,
        "-t", f"{plan.duration + 0.1:.3f}", *output,
    ]  # fmt: skip


async def assemble(
    manifest: RecordingManifest,
    target: Path,
    progress: Progress | None = None,
    output: list[str] | None = None,
) -> Plan:
    """Writes the recording as one file at ``target`` (Matroska: H.264 + AAC, or AAC alone),
    or to ffmpeg's ``output`` arguments instead (which should include ``target``)."""
    work = manifest.work_dir
    work.mkdir(parents=True, exist_ok=True)
    the_plan = await asyncio.to_thread(plan, manifest)
    zero = the_plan.zero
    # Every segment is opened for its first time stamp (~1 ms each, ~2 s for an hour of video):
    # the tracks' lists are built side by side (the default executor bounds the threads).
    listed = await asyncio.gather(
        asyncio.to_thread(concat_input, the_plan.video, work / "video.ffconcat", zero)
        if the_plan.video
        else asyncio.sleep(0, None),
        *(
            asyncio.to_thread(concat_input, (track,), work / f"audio-{index:02d}.ffconcat", zero)
            for index, track in enumerate(the_plan.audio)
        ),
    )
    video = listed[0]
    if the_plan.video and video is None:
        raise NothingRecorded("the recording holds no readable video")
    audio = [found for found in listed[1:] if found is not None]
    target.parent.mkdir(parents=True, exist_ok=True)
    if video is not None:
        args = mix_args(the_plan, video, audio, target, output)
    elif audio:
        args = audio_only_args(the_plan, audio, target, output)
    else:
        raise NothingRecorded("the recording holds no readable audio")
    await run_ffmpeg(args, the_plan.duration, progress)
    return the_plan
