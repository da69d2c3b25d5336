"""Guest links: an educator invites people without an account into a lecture's lobby."""

from __future__ import annotations

from datetime import datetime, timedelta

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from classroom_server.db import Database, GuestLink
from classroom_server.guest_links import (
    MAX_NAME,
    GuestRefused,
    create_guest,
    create_link,
    link_token,
    list_links,
    open_link,
    revoke,
    session_lifetime,
    usable,
)
from classroom_server.logins import Logins
from classroom_server.security import TokenIssuer
from classroom_server.sessions import open_session
from classroom_server.web_auth import require_user, set_session_cookies
from classroom_server.web_problems import Problem, not_found
from portal_api.access import require_lecture
from portal_api.router import ApiRouter, path_id
from portal_api.schemas import UserOut

router = ApiRouter()
GUEST_PAGE = "/guest"
MAX_TOKEN = 2048


class GuestLinkCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expires_in_minutes: int = Field(
        24 * 60, ge=5, le=30 * 24 * 60, description="How long the link lets guests in"
    )


class GuestLinkOut(BaseModel):
    id: int
    lecture_id: int
    created_at: datetime
    expires_at: datetime
    revoked: bool
    url: str | None = Field(
        description="The link to hand out, while it lets guests in (null once revoked or expired)"
    )

    @classmethod
    def of(cls, link: GuestLink, request: web.Request, tokens: TokenIssuer) -> GuestLinkOut:
        url = f"{request.url.origin()}{GUEST_PAGE}#{link_token(tokens, link)}"
        return cls(
            id=link.id,
            lecture_id=link.lecture_id,
            created_at=link.created_at,
            expires_at=link.expires_at,
            revoked=link.revoked_at is not None,
            url=url if usable(link) else None,
        )


class GuestLinkList(BaseModel):
    items: list[GuestLinkOut]


class GuestLinkOpen(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=1, max_length=MAX_TOKEN)


class GuestEnter(GuestLinkOpen):
    name: str = Field(min_length=1, max_length=MAX_NAME)


class GuestLectureOut(BaseModel):
    lecture_id: int
    title: str


class GuestEntered(BaseModel):
    lecture_id: int
    room_url: str
    user: UserOut
    csrf_token: str


def _refused(exc: GuestRefused) -> Problem:
    status = 422 if exc.code == "invalid_name" else 409
    if exc.code == "invalid_link":
        status = 403
    return Problem(status, exc.code, "Guest link refused", str(exc))


@router.route(
    "POST",
    "/lectures/{lecture_id}/guest-links",
    tag="lectures",
    body=GuestLinkCreate,
    response=GuestLinkOut,
    status=201,
    errors=(409,),
)
async def post_guest_link(
    request: web.Request, body: GuestLinkCreate, db: Database, logins: Logins
) -> GuestLinkOut:
    """Make a guest link for the lecture (its educators): whoever opens it and gives a name
    waits in the lecture's lobby."""
    user = await require_user(request)
    lecture_id = path_id(request, "lecture_id", "lecture")
    async with db.session() as session:
        lecture = await require_lecture(session, user, lecture_id, manage=True)
        lifetime = timedelta(minutes=body.expires_in_minutes)
        try:
            link = await create_link(session, lecture, user, lifetime)
        except GuestRefused as exc:
            raise _refused(exc) from exc
        await session.commit()
        return GuestLinkOut.of(link, request, logins.tokens)


@router.route("GET", "/lectures/{lecture_id}/guest-links", tag="lectures", response=GuestLinkList)
async def get_guest_links(request: web.Request, db: Database, logins: Logins) -> GuestLinkList:
    """The lecture's guest links, revoked ones too (its educators), each usable one with its
    URL to copy again."""
    user = await require_user(request)
    lecture_id = path_id(request, "lecture_id", "lecture")
    async with db.session() as session:
        await require_lecture(session, user, lecture_id, manage=True)
        links = await list_links(session, lecture_id)
    return GuestLinkList(items=[GuestLinkOut.of(link, request, logins.tokens) for link in links])


@router.route("DELETE", "/lectures/{lecture_id}/guest-links/{link_id}", tag="lectures", status=204)
async def delete_guest_link(request: web.Request, db: Database) -> None:
    """Revoke a guest link: nobody enters with it any more (guests already in stay)."""
    user = await require_user(request)
    lecture_id = path_id(request, "lecture_id", "lecture")
    link_id = path_id(request, "link_id", "guest link")
    async with db.session() as session:
        await require_lecture(session, user, lecture_id, manage=True)
        link = await session.get(GuestLink, link_id)
        if link is None or link.lecture_id != lecture_id:
            raise not_found(f"guest link {link_id}")
        revoke(link)
        await session.commit()


@router.route(
    "POST",
    "/guest-links/open",
    tag="lectures",
    body=GuestLinkOpen,
    response=GuestLectureOut,
    auth=False,
    errors=(403, 409),
)
async def post_open(
    request: web.Request, body: GuestLinkOpen, db: Database, logins: Logins
) -> GuestLectureOut:
    """Which lecture a guest link leads to, if it still does (the guest page asks first)."""
    async with db.session() as session:
        try:
            lecture = await open_link(session, logins.tokens, body.token)
        except GuestRefused as exc:
            raise _refused(exc) from exc
        return GuestLectureOut(lecture_id=lecture.id, title=lecture.title)


@router.route(
    "POST",
    "/guest-links/enter",
    tag="lectures",
    body=GuestEnter,
    response=GuestEntered,
    auth=False,
    errors=(403, 409),
)
async def post_enter(
    request: web.Request, body: GuestEnter, db: Database, logins: Logins
) -> web.Response:
    """Enter as a guest with a name: a guest account of that lecture alone, and a browser
    session (cookies, as a login) that lasts no longer than the lecture. The room then keeps
    the guest in its lobby until an educator admits them."""
    async with db.session() as session:
        try:
            lecture = await open_link(session, logins.tokens, body.token)
            guest = await create_guest(session, lecture, body.name)
        except GuestRefused as exc:
            raise _refused(exc) from exc
        lifetime = session_lifetime(lecture)
        issued = await open_session(session, logins.tokens, guest, "session", lifetime)
        await session.commit()
        answer = GuestEntered(
            lecture_id=lecture.id,
            room_url=f"/lectures/{lecture.id}",
            user=UserOut.of(guest),
            csrf_token=logins.tokens.csrf_token(issued.jti),
        )
    response = web.json_response(answer.model_dump(mode="json"), status=200)
    set_session_cookies(response, issued.token, answer.csrf_token, lifetime, logins.secure_cookies)
    return response
