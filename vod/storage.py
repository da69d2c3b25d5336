"""Where a video's files live: ``<data dir>/vod/<video id>/``, paths built from ids only."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

# Names a client may ask for under a video's directory: fixed files and HLS renditions (the
# live captions' subtitle track among them).
RENDITIONS = ("source", "720p", "480p", "360p", "240p", "audio", "captions")


class VideoStorage:
    def __init__(self, data_dir: Path) -> None:
        self.root = data_dir / "vod"

    def video_dir(self, video_id: int) -> Path:
        return self.root / str(int(video_id))

    def source(self, video_id: int) -> Path:
        return self.video_dir(video_id) / "original"

    def download(self, video_id: int) -> Path:
        return self.video_dir(video_id) / "download.mp4"

    def master(self, video_id: int) -> Path:
        return self.video_dir(video_id) / "master.m3u8"

    def rendition_dir(self, video_id: int, name: str) -> Path:
        if name not in RENDITIONS:
            raise ValueError(f"no rendition {name!r}")
        return self.video_dir(video_id) / "hls" / name

    def thumbnail(self, video_id: int) -> Path:
        return self.video_dir(video_id) / "thumbnail.jpg"

    def preview(self, video_id: int) -> Path:
        return self.video_dir(video_id) / "preview.jpg"

    async def remove(self, video_id: int) -> None:
        await asyncio.to_thread(shutil.rmtree, self.video_dir(video_id), True)
