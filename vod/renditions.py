"""The ffmpeg command lines of the pipeline, as plain argument lists.

Kept apart from running them so the benchmark can time the very same encodes bare, and so a
reader sees every encoding decision in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vod.probe import MediaInfo

HLS_SEGMENT_SECONDS = 6
AUDIO_BITRATE = "128k"


@dataclass(frozen=True)
class Rung:
    name: str
    height: int
    video_bitrate: str
    audio_bitrate: str


LADDER = (
    Rung("720p", 720, "2500k", "128k"),
    Rung("480p", 480, "1200k", "96k"),
    Rung("360p", 360, "700k", "96k"),
    Rung("240p", 240, "400k", "64k"),
)


def rungs_for(info: MediaInfo) -> list[Rung]:
    """Only rungs at or below the source: upscaling wastes bytes and shows nothing new."""
    return [r for r in LADDER if info.height is not None and r.height <= info.height]


def download_args(source: Path, target: Path, info: MediaInfo) -> list[str]:
    """The one-file MP4: H.264 stream-copied (transcoded if it is not H.264); a source with no
    picture gives an audio-only MP4 (an M4A under the download's one name)."""
    if info.video_codec is None:
        video = ["-vn"]
    elif info.video_codec == "h264":
        video = ["-c:v", "copy"]
    else:
        video = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p"]
    # AAC is copied like H.264; anything else (a recording's Opus) is encoded once, here.
    if info.audio_codec == "aac":
        audio = ["-c:a", "copy"]
    elif info.audio_codec:
        audio = ["-c:a", "aac", "-b:a", AUDIO_BITRATE, "-ac", "2"]
    else:
        audio = ["-an"]
    return [
        "-i",
        str(source),
        *(["-map", "0:v:0"] if info.video_codec else []),
        "-map",
        "0:a:0?",
        *video,
        *audio,
        "-movflags",
        "+faststart",
        str(target),
    ]


def hls_args(source: Path, out_dir: Path, codec_args: list[str]) -> list[str]:
    return [
        "-i",
        str(source),
        *codec_args,
        "-f",
        "hls",
        "-hls_time",
        str(HLS_SEGMENT_SECONDS),
        "-hls_playlist_type",
        "vod",
        "-hls_segment_type",
        "fmp4",
        "-hls_fmp4_init_filename",
        "init.mp4",
        "-hls_segment_filename",
        str(out_dir / "seg%05d.m4s"),
        str(out_dir / "index.m3u8"),
    ]


def copy_hls_args(download: Path, out_dir: Path) -> list[str]:
    """The source rendition is a remux of the download: no second encode."""
    return hls_args(download, out_dir, ["-map", "0", "-c", "copy"])


def _tee_escaped(text: str, special: str) -> str:
    return "".join("\\" + c if c in special else c for c in text)


def _tee_slave(options: dict[str, str], target: Path) -> str:
    """One ``[key=value:...]file`` of a tee: values are unescaped twice (the slave list, then
    its options), the file name once, so every character the parsers split on is escaped."""
    once = "\\'[]|"
    opts = ":".join(
        f"{key}={_tee_escaped(_tee_escaped(value, once + ':='), once)}"
        for key, value in options.items()
    )
    return f"[{opts}]{_tee_escaped(str(target), once)}"


def recorded_outputs(source: Path, download: Path, hls_dir: Path) -> list[str]:
    """A recording's source, MP4 download and HLS source rendition from the run that mixes its
    audio (the tee muxer): the packets are encoded once and written three times, where remuxing
    the finished source twice more cost ~7 s of a 60-minute lecture's time to playable."""
    hls = {
        "f": "hls",
        "hls_time": str(HLS_SEGMENT_SECONDS),
        "hls_playlist_type": "vod",
        "hls_segment_type": "fmp4",
        "hls_fmp4_init_filename": "init.mp4",
        "hls_segment_filename": str(hls_dir / "seg%05d.m4s"),
    }
    slaves = [
        _tee_slave({"f": "matroska"}, source),
        _tee_slave({"f": "mp4", "movflags": "+faststart"}, download),
        _tee_slave(hls, hls_dir / "index.m3u8"),
    ]
    # Global headers: MP4 and fMP4 need the codecs' parameters up front (an encoded VP8 picture).
    return ["-flags", "+global_header", "-f", "tee", "|".join(slaves)]


def rung_hls_args(source: Path, out_dir: Path, rung: Rung) -> list[str]:
    return hls_args(
        source,
        out_dir,
        [
            "-map",
            "0:v:0",
            "-map",
            "0:a:0?",
            "-vf",
            f"scale=-2:{rung.height}",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-b:v",
            rung.video_bitrate,
            "-maxrate",
            rung.video_bitrate,
            "-bufsize",
            rung.video_bitrate,
            "-pix_fmt",
            "yuv420p",
            "-g",
            "48",
            "-keyint_min",
            "48",
            "-sc_threshold",
            "0",
            "-c:a",
            "aac",
            "-b:a",
            rung.audio_bitrate,
            "-ac",
            "2",
        ],
    )


def audio_hls_args(source: Path, out_dir: Path) -> list[str]:
    return hls_args(
        source, out_dir, ["-map", "0:a:0", "-vn", "-c:a", "aac", "-b:a", "64k", "-ac", "2"]
    )


def still_args(source: Path, target: Path, at: float, width: int, height: int) -> list[str]:
    """A frame filling exactly width x height (cropped, never stretched or padded)."""
    fill = f"scale={width}:{height}:force_original_aspect_ratio=increase,crop={width}:{height}"
    # 4:4:4 chroma: a 4:2:0 JPEG would round the 157-pixel thumbnail height down to 156.
    at_time = f"{at:.2f}"
    return ["-ss", at_time, "-i", str(source), "-frames:v", "1", "-vf", fill,
            "-pix_fmt", "yuvj444p", "-q:v", "3", str(target)]  # fmt: skip
