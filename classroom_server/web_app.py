"""The application factory: one aiohttp app with the REST API, Socket.IO and the web client.

The composition root: the one module that builds the outer packages' parts and wires them
(the SFU's media to the recorder, the recorder to the room's signalling)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

from aiohttp import web

import portal_api
import signaling
from classroom_server import __version__
from classroom_server.breakout_timer import BreakoutTimer
from classroom_server.config import Settings
from classroom_server.db import Database
from classroom_server.db.migrate import prepare
from classroom_server.logins import Logins
from classroom_server.logs import request_id_middleware
from classroom_server.mail_announcements import Announcer
from classroom_server.mail_sender import MailSender, SmtpServer
from classroom_server.metrics import metrics_handler, metrics_middleware
from classroom_server.room import RoomBroadcaster
from classroom_server.security import TokenIssuer
from classroom_server.security.proxies import PROXY_POLICY, ProxyPolicy
from classroom_server.services import Services
from classroom_server.site import Site
from classroom_server.slide_decks import SlideDecks
from classroom_server.web_auth import IDENTITIES, Identities
from classroom_server.web_health import (
    READINESS,
    database_check,
    healthz,
    readyz,
    redis_check,
)
from classroom_server.web_problems import problem_middleware
from classroom_server.web_ranges import range_middleware
from classroom_server.web_security_headers import setup_security_headers
from classroom_server.web_static import setup_static
from portal_api.bbb import setup as setup_bbb
from portal_api.lti import Lti
from portal_api.lti import setup as setup_lti
from portal_api.router import Provide
from recording.service import Recordings
from signaling.media_nodes import media_nodes
from signaling.media_registry import MediaRegistry
from vod.ffmpeg_binary import ffmpeg_ready
from vod.jobs import Worker
from vod.storage import VideoStorage
from vod.web_files import VideoFiles, setup_files

MAX_BODY_BYTES = 1024 * 1024
WATCH_BEATS = 10
"""Media node beats between two looks for recordings a dead node left (a lease is three)."""


def create_app(settings: Settings, migrate: bool | None = None) -> web.Application:
    """``migrate`` defaults to upgrading the embedded SQLite only; PostgreSQL is upgraded by
    ``qou-classroom migrate`` so that several nodes do not race to migrate one database, and a
    server refuses to start on a schema behind its code (``DatabaseProblem`` from start-up)."""
    app = web.Application(
        middlewares=[
            request_id_middleware,
            metrics_middleware,
            problem_middleware,
            range_middleware,
        ],
        client_max_size=MAX_BODY_BYTES,
    )
    svc = Services.build(settings)
    videos = VideoStorage(settings.data_dir)
    jobs = Worker(svc.database, videos, redis=svc.redis)
    # The embedded default processes videos itself; with Redis, ``worker`` processes do.
    runs_jobs = svc.redis is None
    app[IDENTITIES] = Identities(svc.tokens, svc.database)
    app[READINESS] = {
        "database": database_check(svc.database),
        "redis": redis_check(svc.redis),
        "ffmpeg": ffmpeg_ready,
    }
    app[PROXY_POLICY] = ProxyPolicy.from_settings(settings.trusted_proxies)
    setup_security_headers(app, https=settings.secure_cookies)
    should_migrate = settings.is_sqlite if migrate is None else migrate
    site = Site.of(settings)
    mailer = _mailer(settings, svc.database, site)

    async def lifecycle(_app: web.Application) -> AsyncIterator[None]:
        try:
            await prepare(svc.database, migrate=should_migrate)
        except BaseException:
            await svc.close()
            raise
        await slides.resume_interrupted()
        if runs_jobs:
            jobs.start()
        if mailer is not None:
            mailer.start()
        breakouts.start()
        yield
        await breakouts.stop()
        if mailer is not None:
            await mailer.stop()
        await jobs.stop()
        await slides.close()
        await svc.close()

    app.cleanup_ctx.append(lifecycle)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics_handler)
    media = MediaRegistry(settings)
    address = f"{settings.host}:{settings.port}"
    nodes = media_nodes(svc.redis, address, settings.media_capacity, settings.media_beat_seconds)
    recordings = Recordings(settings.data_dir, svc.database, jobs.enqueue, media.get, nodes)
    media.on_created(recordings.media_created)
    broadcaster = signaling.create_sio(app, settings, svc, media, recordings, nodes)
    slides = SlideDecks(settings.data_dir, svc.database, broadcaster)
    breakouts = BreakoutTimer(svc.database, broadcaster)
    # Before setup_static: its page routes would take /bigbluebutton/ and /lti/.
    lti = setup_lti(app, svc)
    portal_api.setup(app, __version__, _provide(svc, videos, jobs, slides, broadcaster, site, lti))
    setup_bbb(app, svc, videos, slides, broadcaster)

    async def recover_recordings(_app: web.Application) -> None:
        await recordings.recover()  # what a crash left behind becomes a video
        if svc.redis is not None:  # ... and what a dead node left, while this one runs
            recordings.watch(settings.media_beat_seconds * WATCH_BEATS)

    async def close_recordings(_app: web.Application) -> None:
        await recordings.close()

    app.on_startup.append(recover_recordings)
    app.on_shutdown.append(close_recordings)  # after the media, which signaling closes
    setup_files(app, VideoFiles(svc.database, videos))
    setup_static(app)
    return app


def _provide(
    svc: Services,
    videos: VideoStorage,
    jobs: Worker,
    slides: SlideDecks,
    broadcaster: RoomBroadcaster,
    site: Site,
    lti: Lti,
) -> Provide:
    """What the REST handlers may ask for, by type (``portal_api.router``)."""
    return {
        Database: svc.database,
        TokenIssuer: svc.tokens,
        Logins: Logins(
            svc.database,
            svc.tokens,
            svc.throttle,
            svc.access_lifetime,
            svc.session_lifetime,
            svc.settings.secure_cookies,
        ),
        SlideDecks: slides,
        RoomBroadcaster: broadcaster,
        VideoStorage: videos,
        Worker: jobs,
        Site: site,
        Lti: lti,
    }


def _mailer(settings: Settings, database: Database, site: Site) -> MailSender | None:
    """Mail goes out only with an SMTP server to hand it to (``QOU_SMTP_URL``)."""
    if not settings.smtp_url:
        return None
    reminder = timedelta(minutes=settings.booking_reminder_minutes)
    smtp = SmtpServer.from_url(settings.smtp_url)
    return MailSender(database, smtp, Announcer(site.address, reminder))
