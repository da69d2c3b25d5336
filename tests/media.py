"""Real media made on the spot with ffmpeg: a test pattern with a tone, flat-colour clips,
and a clip written into a recording as the recorder writes a track."""

from __future__ import annotations

import subprocess
from pathlib import Path

import av

from recording.directory import RecordingDirectory
from recording.segment_writer import SegmentWriter
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


def colour_clip(target: Path, colour: tuple[int, int, int], size: str, seconds: float) -> Path:
    """H.264 of a flat colour with a small moving box (so frames differ), 15 fps."""
    binary = ffmpeg_path()
    assert binary is not None
    hex_colour = bytes(colour).hex()
    subprocess.run(
        [binary, "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
         "-i", f"color=c=0x{hex_colour}:s={size}:r=15",
         "-vf", "drawbox=x=mod(t*40\\,200):y=10:w=20:h=20:color=white:t=fill",
         "-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-g", "30",
         "-profile:v", "baseline", "-pix_fmt", "yuv420p", str(target)],
        check=True, timeout=60,
    )  # fmt: skip
    return target


def record_track(
    directory: RecordingDirectory,
    clip: Path,
    source: str,
    media_start: float,
    participant: str = "1",
) -> None:
    """The clip's frames written as the recorder writes a track's (Annex-B H.264 at media
    times), with the source the SFU catalogue gave its publication."""
    track = directory.new_track_dir(
        {
            "publication": f"{participant}/{source}",
            "participant": participant,
            "kind": "video",
            "codec": "h264",
            "clock_rate": 90000,
            "source": source,
        }
    )
    writer = SegmentWriter(track, "h264", take=1)
    with av.open(str(clip)) as container:
        stream = container.streams.video[0]
        annex_b = av.BitStreamFilterContext("h264_mp4toannexb", stream)
        for packet in container.demux(stream):
            if packet.size == 0 or packet.pts is None or packet.time_base is None:
                continue
            at = media_start + float(packet.pts * packet.time_base)
            keyframe = bool(packet.is_keyframe)  # read first: filtering empties the packet
            for frame in annex_b.filter(packet):
                writer.write(bytes(frame), at, keyframe)
    writer.close()
