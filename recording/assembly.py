"""A recording's segments -> one source file for the library, copying the video.

Step 1 (PyAV, in a thread): each track's segments, across all takes, are remuxed into one
Matroska file per track, timestamps rebased so that 0 is the chosen video track's first
frame. Packets are copied, never decoded. Step 2 (one ffmpeg run): the video is stream-copied
when it is H.264 (VP8 is encoded to H.264 once, here), and every speaker's Opus track is
mixed with ``amix`` and encoded once to AAC. The library's ``playable`` stage then copies both
into the MP4 download and the HLS rendition.

The picture is the longest video track recorded (the educator's camera or shared screen),
continued by the same participant's other tracks of that codec that do not overlap it (a
camera published again after a page reload); the other video tracks stay on disk but are not
in the video yet.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av

from recording.directory import RecordingDirectory
from recording.segment_writer import TIME_BASE
from vod.ffmpeg_run import Progress, run_ffmpeg

# Speech, all speakers mixed into one channel: mono halves the AAC encode, which is most of
# stage 1's time (ffmpeg's AAC encoder runs at ~100x real time on one core; the video is
# only copied).
AUDIO_BITRATE = "96k"
AUDIO_CHANNELS = "1"


class NothingRecorded(Exception):
    pass


@dataclass(frozen=True)
class TrackSpan:
    directory: Path
    kind: str
    codec: str
    participant: str
    first: float  # media seconds of the first readable frame
    last: float
    segments: tuple[Path, ...]


def _segments(track_dir: Path) -> tuple[Path, ...]:
    return tuple(sorted(p for p in track_dir.glob("*.mkv") if p.stat().st_size > 0))


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


def span(track_dir: Path) -> TrackSpan | None:
    """Where a track sits on the media timeline, read from its first and last segment."""
    meta = json.loads((track_dir / "track.json").read_text())
    segments = _segments(track_dir)
    first = next((t for t in map(_times, segments) if t), None)
    last = next((t for t in map(_times, reversed(segments)) if t), None)
    if first is None or last is None:
        return None
    participant = str(meta.get("participant", track_dir.name))
    return TrackSpan(
        track_dir, meta["kind"], meta["codec"], participant, first[0], last[-1], segments
    )


class _TrackJoiner:
    """Copies packets into one output stream, rebased to ``zero`` and strictly increasing."""

    def __init__(self, output: av.container.OutputContainer, codec: str, zero: float) -> None:
        self._output = output
        self._codec = codec
        self._zero = zero
        self._stream: av.stream.Stream | None = None
        self._last_ms = -1
        self.written = 0

    def copy(self, packets: Iterator[av.Packet[av.stream.Stream]]) -> None:
        for packet in packets:
            ms = round((_seconds(packet) - self._zero) * 1000)
            if ms < 0 or ms <= self._last_ms:
                continue
            if self._stream is None:
                if self._codec != "opus" and not packet.is_keyframe:
                    continue  # a picture can only start on a keyframe
                self._stream = self._output.add_stream_from_template(packet.stream)
                self._stream.time_base = TIME_BASE
            packet.pts = packet.dts = ms
            packet.time_base = TIME_BASE
            packet.stream = self._stream
            self._output.mux(packet)
            self._last_ms = ms
            self.written += 1


def join_track(tracks: tuple[TrackSpan, ...], target: Path, zero: float) -> int:
    """Remuxes the tracks' segments, one after the other, into ``target`` with ``zero`` as
    time 0; returns the number of frames written. Frames before ``zero`` (audio before the
    picture) are left out."""
    output = av.open(str(target), "w", format="matroska")
    joiner = _TrackJoiner(output, tracks[0].codec, zero)
    try:
        for segment in (s for track in tracks for s in track.segments):
            with _opened(segment) as packets:
                joiner.copy(packets)
    finally:
        if joiner.written:
            output.close()
    if not joiner.written:
        target.unlink(missing_ok=True)
    return joiner.written


@dataclass(frozen=True)
class Plan:
    video: tuple[TrackSpan, ...]  # in time order, one codec, not overlapping
    audio: tuple[TrackSpan, ...]

    @property
    def zero(self) -> float:
        return self.video[0].first

    @property
    def codec(self) -> str:
        return self.video[0].codec

    @property
    def duration(self) -> float:
        return self.video[-1].last - self.zero


def picture(videos: list[TrackSpan]) -> tuple[TrackSpan, ...]:
    """The longest video track and the same participant's non-overlapping ones around it."""
    by_length = sorted(videos, key=lambda s: (-(s.last - s.first), int(s.directory.name)))
    main = by_length[0]
    chosen = [main]
    for other in by_length[1:]:
        if other.participant != main.participant or other.codec != main.codec:
            continue
        if all(other.last < c.first or other.first > c.last for c in chosen):
            chosen.append(other)
    return tuple(sorted(chosen, key=lambda s: s.first))


def plan(directory: RecordingDirectory) -> Plan:
    spans = [s for s in map(span, directory.track_dirs()) if s is not None]
    videos = [s for s in spans if s.kind == "video"]
    if not videos:
        raise NothingRecorded("the recording holds no video")
    video = picture(videos)
    audio = tuple(s for s in spans if s.kind == "audio" and s.last > video[0].first)
    return Plan(video, audio)


def mix_args(plan: Plan, video_file: Path, audio_files: list[Path], target: Path) -> list[str]:
    """Video copied (H.264) or encoded once (VP8); every audio track mixed and encoded once."""
    inputs = ["-copyts", "-i", str(video_file)]
    for audio_file in audio_files:
        inputs += ["-i", str(audio_file)]
    if plan.codec == "h264":
        video = ["-c:v", "copy"]
    else:
        video = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
                 "-force_key_frames", "expr:gte(t,n_forced*4)"]  # fmt: skip
    if not audio_files:
        return [*inputs, "-map", "0:v", *video, "-an", "-f", "matroska", str(target)]
    # Gaps (a speaker who joined late, a take without them) become silence, in place.
    pads = "".join(
        f"[{i + 1}:a]aresample=48000:async=1:first_pts=0[a{i}];" for i in range(len(audio_files))
    )
    mixed = "".join(f"[a{i}]" for i in range(len(audio_files)))
    graph = pads + (
        f"{mixed}amix=inputs={len(audio_files)}:duration=longest:normalize=0[mix]"
        if len(audio_files) > 1
        else "[a0]anull[mix]"
    )
    return [
        *inputs, "-filter_complex", graph, "-map", "0:v", "-map", "[mix]", *video,
        "-c:a", "aac", "-b:a", AUDIO_BITRATE, "-ac", AUDIO_CHANNELS,
        "-t", f"{plan.duration + 0.1:.3f}", "-f", "matroska", str(target),
    ]  # fmt: skip


async def assemble(
    directory: RecordingDirectory, target: Path, progress: Progress | None = None
) -> Plan:
    """Writes the recording as one file at ``target`` (Matroska: H.264 + AAC)."""
    work = directory.path / "work"
    work.mkdir(exist_ok=True)
    the_plan = await asyncio.to_thread(plan, directory)
    video_file = work / "video.mkv"
    await asyncio.to_thread(join_track, the_plan.video, video_file, the_plan.zero)
    audio_files = []
    for index, track in enumerate(the_plan.audio):
        audio_file = work / f"audio-{index:02d}.mkv"
        if await asyncio.to_thread(join_track, (track,), audio_file, the_plan.zero):
            audio_files.append(audio_file)
    target.parent.mkdir(parents=True, exist_ok=True)
    await run_ffmpeg(
        mix_args(the_plan, video_file, audio_files, target), the_plan.duration, progress
    )
    return the_plan
