"""Who is calling: bearer token or session cookie, with CSRF checks for the cookie.

This is the one place roles are checked: handlers call ``require_user`` with the roles they
allow, and course-level rules live in ``classroom_server.policy``. The composition root hands
this module what it needs, an ``Identities`` (the token issuer and the database), under
``IDENTITIES``: nothing else of the app is reachable from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiohttp import web

from classroom_server.db import Database, Role, User
from classroom_server.security import TokenError, TokenIssuer
from classroom_server.sessions import Kind, session_user
from classroom_server.web_ids import parse_id
from classroom_server.web_problems import Problem, forbidden, unauthenticated

SESSION_COOKIE = "qou_session"
CSRF_COOKIE = "qou_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Identity:
    user: User
    via_cookie: bool
    # The jti of the session cookie or bearer token: logout and password changes name it.
    session_id: str | None = None


@dataclass(frozen=True)
class Identities:
    """Who a bearer token or session cookie names: verified by ``tokens``, and only while
    ``database`` still holds the session the token names."""

    tokens: TokenIssuer
    database: Database

    async def resolve(self, request: web.Request) -> Identity | None:
        """A bad bearer token is an error, not anonymity; a bad session cookie is logged out."""
        header = request.headers.get("Authorization", "")
        if header:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token:
                raise unauthenticated("Authorization must be 'Bearer <token>'")
            try:
                claims = self.tokens.verify(token.strip(), "access")
            except TokenError as exc:
                raise unauthenticated(f"Invalid token: {exc}") from exc
            user = await self._load_user(claims, "access")
            if user is None:
                raise unauthenticated(
                    "The token was revoked: logged out, password changed or account disabled"
                )
            return Identity(user, via_cookie=False, session_id=claims["jti"])
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            return None
        try:
            claims = self.tokens.verify(cookie, "session")
        except TokenError:
            return None  # an expired session cookie just means "logged out"
        user = await self._load_user(claims, "session")
        return Identity(user, via_cookie=True, session_id=claims["jti"]) if user else None

    async def _load_user(self, claims: dict[str, Any], kind: Kind) -> User | None:
        """The token's user, if the server still holds the session the token names."""
        jti, subject = claims.get("jti"), parse_id(str(claims.get("sub")))
        if not isinstance(jti, str) or subject is None:
            return None
        async with self.database.session() as session:
            return await session_user(session, jti, subject, kind)


IDENTITIES = web.AppKey("identities", Identities)
IDENTITY: web.RequestKey[Identity | None] = web.RequestKey("identity")


async def current_identity(request: web.Request) -> Identity | None:
    """Resolves the caller once per request; a bad bearer token is an error, not anonymity."""
    if IDENTITY in request:
        return request[IDENTITY]
    identity = await request.app[IDENTITIES].resolve(request)
    request[IDENTITY] = identity
    return identity


def check_csrf(request: web.Request, identity: Identity) -> None:
    if not identity.via_cookie or request.method in SAFE_METHODS:
        return
    presented = request.headers.get(CSRF_HEADER, "")
    assert identity.session_id is not None
    tokens = request.app[IDENTITIES].tokens
    if not presented or not tokens.csrf_matches(identity.session_id, presented):
        raise Problem(
            403,
            "csrf_failed",
            "CSRF check failed",
            f"Send the {CSRF_HEADER} header with the value of the {CSRF_COOKIE} cookie",
        )


async def require_user(
    request: web.Request, *roles: Role, guest_lecture: int | None = None
) -> User:
    """``guest_lecture``: the lecture a route serves, so that guest of it may call the route
    too; a guest (``classroom_server.guest_links``) may call nothing else."""
    identity = await current_identity(request)
    if identity is None:
        raise unauthenticated()
    check_csrf(request, identity)
    guest_of = identity.user.guest_lecture_id
    if guest_of is not None and guest_of != guest_lecture:
        raise forbidden("A guest may only enter the lecture they were invited to")
    if roles and Role(identity.user.role) not in roles:
        raise forbidden(f"This needs the role {' or '.join(r.value for r in roles)}")
    return identity.user


def set_session_cookies(
    response: web.StreamResponse, token: str, csrf: str, lifetime: timedelta, secure: bool
) -> None:
    """A browser session: the HttpOnly session cookie, and the CSRF token the page's script
    reads and echoes in the CSRF header (double submit). One place for every way in (the
    login form, an LMS's join)."""
    max_age = int(lifetime.total_seconds())
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age,
        httponly=True,
        samesite="Lax",
        secure=secure,
        path="/",
    )
    response.set_cookie(
        CSRF_COOKIE, csrf, max_age=max_age, samesite="Strict", secure=secure, path="/"
    )
