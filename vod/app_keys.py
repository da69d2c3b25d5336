"""Where the web app holds vod's parts, put there by the composition root: the core's
``Services`` knows nothing of videos."""

from __future__ import annotations

from aiohttp import web

from vod.jobs import Worker
from vod.storage import VideoStorage

VIDEOS = web.AppKey("videos", VideoStorage)
JOBS = web.AppKey("jobs", Worker)


def videos(request: web.Request) -> VideoStorage:
    return request.app[VIDEOS]


def jobs(request: web.Request) -> Worker:
    return request.app[JOBS]
