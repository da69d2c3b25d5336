"""The BigBlueButton-compatible API under ``/bigbluebutton/api``, which LMS plugins (Moodle's
mod_bigbluebuttonbn, Greenlight, Canvas...) drive lectures through. See docs/lms.md."""

from __future__ import annotations

from aiohttp import web

from classroom_server.room import RoomBroadcaster
from classroom_server.services import Services
from classroom_server.slide_decks import SlideDecks
from portal_api.bbb.callbacks import Callbacks
from portal_api.bbb.calls import Bbb
from portal_api.bbb.documents import Documents
from portal_api.bbb.hooks import Hooks
from portal_api.bbb.routes import setup_routes
from vod.storage import VideoStorage

__all__ = ["Bbb", "setup"]


def setup(
    app: web.Application,
    svc: Services,
    videos: VideoStorage,
    slides: SlideDecks,
    broadcaster: RoomBroadcaster,
) -> None:
    """Adds the API's routes, handed the parts of ``svc`` the calls use; call it before the
    web client's page routes are added."""
    bbb = Bbb(
        database=svc.database,
        store=svc.room_store,
        tokens=svc.tokens,
        session_lifetime=svc.session_lifetime,
        secure_cookies=svc.settings.secure_cookies,
        broadcaster=broadcaster,
        videos=videos,
        documents=Documents(slides),
        hooks=Hooks(svc.database),
    )
    setup_routes(app, bbb)
    callbacks = Callbacks(svc.database, bbb.hooks, origin=svc.settings.public_url or "")
    svc.notices.subscribe(bbb.hooks)

    async def start_callbacks(_app: web.Application) -> None:
        callbacks.start()

    async def stop_callbacks(_app: web.Application) -> None:
        await callbacks.stop()
        await bbb.documents.close()
        await bbb.hooks.close()

    app.on_startup.append(start_callbacks)
    app.on_shutdown.append(stop_callbacks)
