"""The ICS feed: a secret URL a calendar app can poll without logging in."""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web
from pydantic import BaseModel

from classroom_server.calendar_feed import calendar_for
from classroom_server.db import User
from classroom_server.security import TokenError
from classroom_server.services import services
from classroom_server.web_auth import require_user
from classroom_server.web_problems import not_found
from portal_api.router import ApiRouter

router = ApiRouter()
FEED_LIFETIME = timedelta(days=365)


class FeedOut(BaseModel):
    url: str


@router.route("GET", "/me/calendar", tag="me", response=FeedOut)
async def calendar_link(request: web.Request) -> FeedOut:
    """Your private calendar URL (lectures and office-hour bookings), valid for a year."""
    user = await require_user(request)
    token = services(request).tokens.issue("calendar", user.id, FEED_LIFETIME).token
    return FeedOut(url=f"/api/v1/calendar/{token}.ics")


@router.route(
    "GET",
    "/calendar/{token}.ics",
    tag="me",
    auth=False,
    path_types={"token": "string"},
    produces="text/calendar",
)
async def calendar_feed(request: web.Request) -> web.Response:
    """The iCalendar feed behind a calendar URL."""
    svc = services(request)
    try:
        claims = svc.tokens.verify(request.match_info["token"], "calendar")
    except TokenError as exc:
        raise not_found("calendar") from exc
    async with svc.database.session() as session:
        user = await session.get(User, int(claims["sub"]))
        if user is None or user.disabled:  # a disabled account's feed URL stops working too
            raise not_found("calendar")
        body = await calendar_for(session, user, request.host)
    return web.Response(body=body, content_type="text/calendar", charset="utf-8")
