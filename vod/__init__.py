"""QOU Tube: the video library and its ffmpeg processing.

``vod.web_files`` (the playback routes) is imported by the app factory, not here: it needs the
services that import this package.
"""

from vod.ffmpeg_binary import ffmpeg_path
from vod.jobs import JobQueue, Worker
from vod.storage import VideoStorage

__all__ = ["JobQueue", "VideoStorage", "Worker", "ffmpeg_path"]
