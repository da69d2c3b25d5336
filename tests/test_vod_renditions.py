"""The ffmpeg argument lists of vod/renditions.py, run through the real ffmpeg."""

from __future__ import annotations

from pathlib import Path

import pytest

from vod.ffmpeg_run import run_ffmpeg
from vod.probe import probe
from vod.renditions import recorded_outputs


@pytest.mark.parametrize("folder", ["plain", "we:ird [dir]|with'quote\\and=sign"])
async def test_recorded_outputs_write_source_download_and_hls_from_one_encode(
    tmp_path: Path, folder: str
) -> None:
    """One run, three files: the tee's escaping must survive any data-directory path."""
    base = tmp_path / folder
    hls_dir = base / "hls"
    hls_dir.mkdir(parents=True)
    source, download = base / "original", base / "download.mp4"
    await run_ffmpeg(
        ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=15",
         "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
         "-t", "7", "-map", "0:v", "-map", "1:a", "-c:v", "libx264", "-g", "30",
         "-c:a", "aac", "-b:a", "96k", "-ac", "1",
         *recorded_outputs(source, download, hls_dir)]
    )  # fmt: skip
    for made in (source, download, hls_dir / "index.m3u8"):
        info = probe(made)
        assert (info.video_codec, info.audio_codec) == ("h264", "aac"), made
        assert info.duration == pytest.approx(7.0, abs=0.5), made
    assert (hls_dir / "init.mp4").exists() and sorted(hls_dir.glob("seg*.m4s"))
    assert top_level_boxes(download).index("moov") < top_level_boxes(download).index("mdat")


def top_level_boxes(path: Path) -> list[str]:
    """The MP4's top-level box types in file order (+faststart puts moov before mdat)."""
    data, at, names = path.read_bytes(), 0, []
    while at + 8 <= len(data):
        size = int.from_bytes(data[at : at + 4], "big")
        names.append(data[at + 4 : at + 8].decode("latin-1"))
        if size == 1:
            size = int.from_bytes(data[at + 8 : at + 16], "big")
        at += size if size else len(data)
    return names
