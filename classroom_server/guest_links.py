"""Guest links: a signed, expiring, revocable link that lets a person without an account into
one lecture, by way of its lobby.

The link carries a JWT (``typ`` ``guest``, signed with the server's key like every other
token) naming the link's row; the row is what makes it revocable. Opening it with a name makes
a guest account: a student of that one lecture only (``User.guest_lecture_id``), never an
educator, with no password anyone could log in with, and a browser session that lasts no
longer than the lecture. A guest always waits in the lobby until an educator admits them.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import AuthSession, GuestLink, Lecture, LectureStatus, Role, User
from classroom_server.security import TokenError, TokenIssuer

MAX_LINKS_PER_LECTURE = 50
MAX_GUESTS_PER_LECTURE = 500
MAX_NAME = 80
UNUSABLE_PASSWORD = "!guest"
"""Not a hash any password verifies against: a guest never logs in with a password."""
SESSION_AFTER_END = timedelta(hours=1)
"""How long after its scheduled end a guest's session still lasts (lectures overrun)."""
MIN_SESSION = timedelta(minutes=30)
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class GuestRefused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def guest_name(name: str) -> str:
    """The name a guest typed, trimmed; refused when empty, too long or with control
    characters (it is shown to the educator and the room)."""
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > MAX_NAME or CONTROL.search(name):
        raise GuestRefused("invalid_name", f"a name of 1 to {MAX_NAME} printable characters")
    return cleaned


async def create_link(
    session: AsyncSession, lecture: Lecture, by: User, lifetime: timedelta
) -> GuestLink:
    """The caller commits; the link's token is :func:`link_token`'s."""
    if lecture.status == LectureStatus.ENDED.value:
        raise GuestRefused("lecture_ended", "the lecture has ended")
    count = await session.scalar(
        select(func.count(GuestLink.id)).where(
            GuestLink.lecture_id == lecture.id, GuestLink.revoked_at.is_(None)
        )
    )
    if (count or 0) >= MAX_LINKS_PER_LECTURE:
        raise GuestRefused("too_many_links", "revoke a guest link before making another")
    now = datetime.now(UTC).replace(microsecond=0)  # what a token's iat and exp can hold
    link = GuestLink(
        lecture_id=lecture.id,
        jti=secrets.token_urlsafe(12),
        created_by=by.id,
        created_at=now,
        expires_at=now + lifetime,
    )
    session.add(link)
    await session.flush()
    return link


def link_token(tokens: TokenIssuer, link: GuestLink) -> str:
    """The link's token, signed again from its row: the same link, for copying it later."""
    claims = {"lecture": link.lecture_id}
    return tokens.sign("guest", link.id, link.jti, link.created_at, link.expires_at, **claims).token


def usable(link: GuestLink) -> bool:
    return link.revoked_at is None and link.expires_at > datetime.now(UTC)


async def list_links(session: AsyncSession, lecture_id: int) -> list[GuestLink]:
    query = select(GuestLink).where(GuestLink.lecture_id == lecture_id)
    return list(await session.scalars(query.order_by(GuestLink.id)))


def revoke(link: GuestLink) -> None:
    if link.revoked_at is None:
        link.revoked_at = datetime.now(UTC)


async def open_link(session: AsyncSession, tokens: TokenIssuer, token: str) -> Lecture:
    """The lecture a guest link leads to, if it is genuine, unexpired, not revoked and its
    lecture not over."""
    try:
        claims = tokens.verify(token, "guest")
    except TokenError as exc:
        raise GuestRefused("invalid_link", "this guest link is not valid") from exc
    link = await session.scalar(select(GuestLink).where(GuestLink.jti == claims.get("jti")))
    if link is None or str(link.id) != claims.get("sub") or link.revoked_at is not None:
        raise GuestRefused("invalid_link", "this guest link was revoked")
    lecture = await session.get(Lecture, link.lecture_id)
    if lecture is None or lecture.id != claims.get("lecture"):
        raise GuestRefused("invalid_link", "this guest link is not valid")
    if lecture.status == LectureStatus.ENDED.value:
        raise GuestRefused("lecture_ended", "the lecture has ended")
    return lecture


async def create_guest(session: AsyncSession, lecture: Lecture, name: str) -> User:
    """A guest account for ``lecture`` (the caller commits)."""
    guests = await session.scalar(
        select(func.count(User.id)).where(User.guest_lecture_id == lecture.id)
    )
    if (guests or 0) >= MAX_GUESTS_PER_LECTURE:
        raise GuestRefused("too_many_guests", "this lecture has as many guests as it can take")
    user = User(
        username=f"guest-{secrets.token_hex(10)}",
        password_hash=UNUSABLE_PASSWORD,
        display_name=guest_name(name),
        role=Role.STUDENT.value,
        guest_lecture_id=lecture.id,
    )
    session.add(user)
    await session.flush()
    return user


def session_lifetime(lecture: Lecture, now: datetime | None = None) -> timedelta:
    """A guest's browser session ends with the lecture (its scheduled end, plus an hour for
    an overrun), never sooner than half an hour."""
    now = now or datetime.now(UTC)
    end = lecture.scheduled_start + timedelta(minutes=lecture.duration_minutes)
    return max(end + SESSION_AFTER_END - now, MIN_SESSION)


async def end_guest_sessions(session: AsyncSession, lecture_id: int) -> None:
    """The lecture ended: its guests' sessions end with it (the caller commits)."""
    guests = select(User.id).where(User.guest_lecture_id == lecture_id)
    await session.execute(delete(AuthSession).where(AuthSession.user_id.in_(guests)))
