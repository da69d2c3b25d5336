"""What a media file holds, read with PyAV (imageio-ffmpeg ships no ffprobe)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av

from vod.failure import Unprocessable


@dataclass(frozen=True)
class MediaInfo:
    duration: float
    video_codec: str | None
    width: int | None
    height: int | None
    audio_codec: str | None
    bit_rate: int | None


class ProbeError(Exception):
    pass


class UnreadableMedia(ProbeError, Unprocessable):
    """The bytes are not media ffmpeg can read: a retry would read the same bytes."""


def probe(path: Path) -> MediaInfo:
    """Blocking: call it in a thread."""
    try:
        with av.open(str(path)) as container:
            video = next(iter(container.streams.video), None)
            audio = next(iter(container.streams.audio), None)
            duration = (
                container.duration / 1e6 if container.duration else _stream_duration(container)
            )
            return MediaInfo(
                duration=duration,
                video_codec=video.codec_context.name if video else None,
                width=video.codec_context.width if video else None,
                height=video.codec_context.height if video else None,
                audio_codec=audio.codec_context.name if audio else None,
                bit_rate=container.bit_rate or None,
            )
    except av.InvalidDataError as exc:
        # strerror, not str(exc): the message reaches the educator, the server's path must not.
        raise UnreadableMedia(f"not a readable media file: {exc.strerror}") from exc
    except (av.FFmpegError, OSError) as exc:
        raise ProbeError(f"could not read the media file: {exc}") from exc


def _stream_duration(container: av.container.InputContainer) -> float:
    durations = [
        float(s.duration * s.time_base) for s in container.streams if s.duration and s.time_base
    ]
    return max(durations, default=0.0)
