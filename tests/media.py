"""Real media made on the spot with ffmpeg: a test pattern with a tone."""

from __future__ import annotations

import subprocess
from pathlib import Path

from vod.ffmpeg_binary import ffmpeg_path


def make_clip(target: Path, seconds: float, size: str = "640x360", codec: str = "h264") -> Path:
    """H.264 + AAC in MP4, or VP8 + Opus in WebM; a keyframe every 2 s."""
    binary = ffmpeg_path()
    assert binary is not None
    if codec == "h264":
        codecs = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac"]
    else:
        codecs = ["-c:v", "libvpx", "-deadline", "realtime", "-b:v", "500k", "-c:a", "libopus"]
    subprocess.run(
        [
            binary,
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            f"testsrc2=size={size}:rate=25",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:sample_rate=48000",
            "-t",
            str(seconds),
            "-g",
            "50",
            *codecs,
            "-shortest",
            str(target),
        ],
        check=True,
        timeout=120,
    )
    return target
