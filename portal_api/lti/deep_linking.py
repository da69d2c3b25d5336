"""Deep Linking 2.0: an educator launched from the LMS's "add activity" to pick a lecture or a
video of the course; the tool answers with an ``LtiDeepLinkingResponse`` JWT, signed by its key,
that the browser POSTs back to the platform's ``deep_link_return_url``.

The request's settings ride through the picker page in a ``ticket``: a short-lived JWT signed
by the tool's own key (so nobody can point the answer elsewhere), bound to the educator's
account, which the choice must come from.
"""

from __future__ import annotations

import html
import secrets
import time
from dataclasses import dataclass
from typing import Any

import jwt
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import Lecture, LtiPlatform, Video
from portal_api.lti.keys import ALGORITHM, ToolKey, published_keys
from portal_api.lti.launch import DL, LTI, Launch

TICKET_AUDIENCE = "qou-classroom-deep-link"
TICKET_LIFETIME = 3600
MAX_CHOICES = 200
PICK_PATH = "/lti/deep-link"


class TicketRefused(Exception):
    """The picker's ticket is forged, expired or someone else's: the page says so."""


@dataclass(frozen=True)
class Choice:
    kind: str  # "lecture" or "video"
    id: int
    title: str


def ticket(key: ToolKey, launch: Launch, user_id: int, course_id: int) -> str:
    settings = launch.claim(DL + "deep_linking_settings")
    now = int(time.time())
    return key.sign(
        {
            "aud": TICKET_AUDIENCE,
            "iat": now,
            "exp": now + TICKET_LIFETIME,
            "platform": launch.platform.id,
            "deployment_id": launch.claims[LTI + "deployment_id"],
            "return_url": settings["deep_link_return_url"],
            "data": settings.get("data"),
            "user": user_id,
            "course": course_id,
        }
    )


async def read_ticket(session: AsyncSession, token: str) -> dict[str, Any]:
    """The ticket's claims, if the tool signed it and it is current."""
    jwks = await published_keys(session)
    try:
        kid = jwt.get_unverified_header(token).get("kid")
        jwk = next(k for k in jwks["keys"] if k["kid"] == kid)
        claims: dict[str, Any] = jwt.decode(
            token,
            jwt.PyJWK(jwk).key,
            algorithms=[ALGORITHM],
            audience=TICKET_AUDIENCE,
        )
    except (jwt.InvalidTokenError, StopIteration) as exc:
        raise TicketRefused(
            "This deep linking page has expired: start again from the LMS."
        ) from exc
    return claims


async def choices(session: AsyncSession, course_id: int) -> list[Choice]:
    """The course's lectures (office hours excepted) and its ready videos."""
    lectures = await session.scalars(
        select(Lecture)
        .where(Lecture.course_id == course_id, Lecture.private_to.is_(None))
        .order_by(Lecture.scheduled_start.desc())
        .limit(MAX_CHOICES)
    )
    videos = await session.scalars(
        select(Video)
        .where(Video.course_id == course_id, Video.status == "ready")
        .order_by(Video.id.desc())
        .limit(MAX_CHOICES)
    )
    return [Choice("lecture", x.id, x.title) for x in lectures.all()] + [
        Choice("video", v.id, v.title) for v in videos.all()
    ]


def picker_page(ticket_token: str, options: list[Choice], course_title: str) -> str:
    """A plain server-rendered form (it opens in the LMS's frame or window)."""
    rows = "".join(
        f'<li><label><input type="radio" name="choice" value="{c.kind}:{c.id}"'
        f"{' checked' if i == 0 else ''}>"
        f" {html.escape(c.kind.capitalize())}: {html.escape(c.title)}</label></li>"
        for i, c in enumerate(options)
    )
    body = (
        f'<form method="post" action="{PICK_PATH}">'
        f'<input type="hidden" name="ticket" value="{html.escape(ticket_token)}">'
        f'<ul>{rows}</ul><button type="submit">Add to the LMS course</button></form>'
        if options
        else "<p>This course has no lectures or videos yet.</p>"
    )
    return _page(f"Choose a lecture or video of {html.escape(course_title)}", body)


def content_item(choice: Choice, launch_url: str) -> dict[str, Any]:
    return {
        "type": "ltiResourceLink",
        "title": choice.title,
        "url": launch_url,
        "custom": {f"{choice.kind}_id": str(choice.id)},
    }


def response_jwt(
    key: ToolKey, platform: LtiPlatform, claims: dict[str, Any], items: list[dict[str, Any]]
) -> str:
    now = int(time.time())
    message: dict[str, Any] = {
        "iss": platform.client_id,
        "aud": platform.issuer,
        "iat": now,
        "exp": now + 600,
        "nonce": secrets.token_urlsafe(16),
        LTI + "message_type": "LtiDeepLinkingResponse",
        LTI + "version": "1.3.0",
        LTI + "deployment_id": claims["deployment_id"],
        DL + "content_items": items,
    }
    if claims.get("data") is not None:
        message[DL + "data"] = claims["data"]
    return key.sign(message)


def return_page(return_url: str, token: str) -> str:
    """Posts the answer back to the LMS as the page loads (a button if scripts are off)."""
    body = (
        f'<form id="answer" method="post" action="{html.escape(return_url)}">'
        f'<input type="hidden" name="JWT" value="{html.escape(token)}">'
        '<button type="submit">Back to the LMS</button></form>'
        "<script>document.getElementById('answer').submit()</script>"
    )
    return _page("Returning to the LMS", body)


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>"
    )
