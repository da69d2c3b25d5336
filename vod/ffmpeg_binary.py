"""Which ffmpeg to run: the system's when there is one, else the one in imageio-ffmpeg's wheel,
so that ``pip install`` alone brings a working ffmpeg."""

from __future__ import annotations

import functools
import os
import shutil

from aiohttp import web


@functools.cache
def ffmpeg_path() -> str | None:
    configured = os.environ.get("QOU_FFMPEG")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    system = shutil.which("ffmpeg")
    if system:
        return system
    try:
        import imageio_ffmpeg
    except ImportError:
        return None
    try:
        path: str = imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError:
        return None
    return path


async def ffmpeg_ready(_request: web.Request) -> str:
    """The readiness check (``/readyz``): which ffmpeg jobs will run."""
    path = ffmpeg_path()
    if path is None:
        raise RuntimeError("no ffmpeg found (install imageio-ffmpeg or set QOU_FFMPEG)")
    return path
