"""QOU Tube: the video library and its ffmpeg processing.

``vod.web_files`` (the playback routes) is imported by the composition root, not here: it
needs aiohttp, which the library's jobs do not.
"""

from vod.ffmpeg_binary import ffmpeg_path
from vod.jobs import JobQueue, Worker
from vod.storage import VideoStorage

__all__ = ["JobQueue", "VideoStorage", "Worker", "ffmpeg_path"]
