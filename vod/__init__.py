"""QOU Tube: the video library and its ffmpeg processing."""

from vod.ffmpeg_binary import ffmpeg_path

__all__ = ["ffmpeg_path"]
