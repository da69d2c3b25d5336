"""One track's encoded frames into short Matroska files, exactly as they arrived.

Why Matroska: one container carries all three WebRTC codecs we receive (H.264, VP8, Opus)
with each frame's own timestamp, so variable frame rates and gaps survive; a file cut off by a
crash is still readable up to its last written cluster; and ffmpeg reads it back and
stream-copies it. (MPEG-TS would lose VP8; raw Annex-B H.264 loses the timestamps.)

Frames are muxed as they come, never decoded or encoded. A segment is closed after
``TARGET_SECONDS`` at the next keyframe (audio: at once), and after ``MAX_SECONDS`` whatever
comes, and clusters are flushed every second, so a killed server loses about a second of media
and at worst one segment (<= 10 s).
"""

from __future__ import annotations

import fractions
import io
import struct
from pathlib import Path

import av
from av.container import OutputContainer
from av.stream import Stream

TARGET_SECONDS = 5.0
MAX_SECONDS = 10.0
TIME_BASE = fractions.Fraction(1, 1000)  # Matroska's own millisecond timestamps
MUXER_OPTIONS = {"cluster_time_limit": "1000", "flush_packets": "1"}
CODEC_NAMES = {"video/h264": "h264", "video/vp8": "vp8", "audio/opus": "opus"}


def ivf(frame: bytes) -> bytes:
    """One VP8 frame as a tiny IVF file, for PyAV to read the stream parameters from."""
    width, height = vp8_size(frame) or (0, 0)
    header = b"DKIF" + struct.pack("<HH4sHHIIII", 0, 32, b"VP80", width, height, 30, 1, 1, 0)
    return header + struct.pack("<IQ", len(frame), 0) + frame


def template_stream(codec_name: str, first_frame: bytes) -> av.container.InputContainer:
    """An input holding the first frame, whose stream is the template of the output stream.

    Why: ``add_stream(name)`` would open an *encoder* when the file starts, and libx264 then
    writes its own (wrong) SPS/PPS as the file's codec private data. A template from the
    received frame carries the real parameters and opens nothing.
    """
    data = first_frame if codec_name == "h264" else ivf(first_frame)
    return av.open(io.BytesIO(data), "r", format="h264" if codec_name == "h264" else "ivf")


def vp8_size(frame: bytes) -> tuple[int, int] | None:
    """Width and height from a VP8 keyframe header (RFC 6386 9.1), else None."""
    if len(frame) < 10 or frame[0] & 0x01 or frame[3:6] != b"\x9d\x01\x2a":
        return None
    width, height = struct.unpack("<HH", frame[6:10])
    return width & 0x3FFF, height & 0x3FFF


class SegmentWriter:
    """Writes one track of one take as ``<take>-<seq>.mkv`` files in ``directory``."""

    def __init__(self, directory: Path, codec_name: str, take: int) -> None:
        self.directory = directory
        self.codec_name = codec_name
        self.kind = "audio" if codec_name == "opus" else "video"
        self.take = take
        self._sequence = 0
        self._container: OutputContainer | None = None
        self._stream: Stream | None = None
        self._segment_start = 0.0
        self._last_ms = -1
        self.frames = 0
        self.segments: list[Path] = []

    def write(self, data: bytes, media_seconds: float, keyframe: bool) -> bool:
        """Adds one frame at ``media_seconds``; False when it was not after the previous one."""
        ms = round(media_seconds * 1000)
        if ms <= self._last_ms:
            return False
        if self._container is not None and self._should_cut(media_seconds, keyframe):
            self.close()
        if self._container is None:
            if self.kind == "video" and not self.segments and not keyframe:
                return False  # the take starts on a keyframe, or nothing could decode it
            self._open(media_seconds, data)
        packet = av.Packet(data)
        packet.pts = packet.dts = ms
        packet.time_base = TIME_BASE
        packet.is_keyframe = keyframe
        assert self._container is not None and self._stream is not None
        packet.stream = self._stream
        self._container.mux(packet)
        self._last_ms = ms
        self.frames += 1
        return True

    def _should_cut(self, media_seconds: float, keyframe: bool) -> bool:
        length = media_seconds - self._segment_start
        if length >= MAX_SECONDS:
            return True
        return length >= TARGET_SECONDS and (keyframe or self.kind == "audio")

    def _open(self, media_seconds: float, first_frame: bytes) -> None:
        self._sequence += 1
        path = self.directory / f"{self.take:03d}-{self._sequence:05d}.mkv"
        container = av.open(str(path), "w", format="matroska", options=MUXER_OPTIONS)
        stream: Stream
        if self.codec_name == "opus":
            # No template reader for a bare Opus frame: libopus is opened (never fed) and
            # its identification header describes the 48 kHz stereo WebRTC stream.
            stream = container.add_stream("opus", rate=48000, layout="stereo")
        else:
            with template_stream(self.codec_name, first_frame) as template:
                stream = container.add_stream_from_template(template.streams.video[0])
        stream.time_base = TIME_BASE
        self._container, self._stream = container, stream
        self._segment_start = media_seconds
        self.segments.append(path)

    def close(self) -> None:
        """Finishes the current segment (its index and sizes); the next frame opens another."""
        container, self._container, self._stream = self._container, None, None
        if container is not None:
            container.close()
