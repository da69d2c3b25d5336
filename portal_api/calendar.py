"""The ICS feed: a secret URL a calendar app can poll without logging in."""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web
from pydantic import BaseModel

from classroom_server.calendar_feed import feed_of
from classroom_server.db import Database
from classroom_server.security import TokenError, TokenIssuer
from classroom_server.site import Site
from classroom_server.web_auth import require_user
from classroom_server.web_problems import not_found
from portal_api.router import ApiRouter

router = ApiRouter()
FEED_LIFETIME = timedelta(days=365)


class FeedOut(BaseModel):
    url: str


@router.route("GET", "/me/calendar", tag="me", response=FeedOut)
async def calendar_link(request: web.Request, tokens: TokenIssuer, site: Site) -> FeedOut:
    """Your private calendar URL (lectures and office-hour bookings), valid for a year: an
    absolute URL, for a calendar app to subscribe to."""
    user = await require_user(request)
    token = tokens.issue("calendar", user.id, FEED_LIFETIME).token
    origin = site.origin(f"{request.scheme}://{request.host}")
    return FeedOut(url=f"{origin}/api/v1/calendar/{token}.ics")


@router.route(
    "GET",
    "/calendar/{token}.ics",
    tag="me",
    auth=False,
    path_types={"token": "string"},
    produces="text/calendar",
)
async def calendar_feed(
    request: web.Request, tokens: TokenIssuer, db: Database, site: Site
) -> web.Response:
    """The iCalendar feed behind a calendar URL."""
    try:
        claims = tokens.verify(request.match_info["token"], "calendar")
    except TokenError as exc:
        raise not_found("calendar") from exc
    async with db.session() as session:
        origin = site.origin(f"{request.scheme}://{request.host}")
        body = await feed_of(session, int(claims["sub"]), origin)
    if body is None:
        raise not_found("calendar")
    return web.Response(body=body, content_type="text/calendar", charset="utf-8")
