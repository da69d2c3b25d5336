"""Device cookies: a browser or API client that once logged in to an account is known.

After a successful login the server sets ``qou_device``, a signed token naming the account and
a random device id (HttpOnly, scoped to the login routes, half a year). A login attempt that
presents a valid one for the username it tries draws only on that device's own guessing
budget (``classroom_server.security.throttle``), so someone guessing the account's password
elsewhere cannot lock its owner out. The cookie grants nothing else: it is not a session, and
guessing with a stolen one is still throttled, per device.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from aiohttp import web

from classroom_server.security.tokens import TokenError, TokenIssuer

DEVICE_COOKIE = "qou_device"
DEVICE_COOKIE_PATH = "/api/v1/auth/"
DEVICE_LIFETIME = timedelta(days=180)


def known_device(request: web.Request, tokens: TokenIssuer, username: str) -> str | None:
    """The device id of a valid device cookie for ``username``, else None."""
    cookie = request.cookies.get(DEVICE_COOKIE)
    if not cookie:
        return None
    try:
        claims = tokens.verify(cookie, "device")
    except TokenError:
        return None
    device = claims.get("dev")
    if claims.get("usr") != username.strip().lower() or not isinstance(device, str):
        return None
    return device


def remember_device(
    response: web.StreamResponse,
    tokens: TokenIssuer,
    user_id: int,
    username: str,
    device: str | None,
    secure: bool,
) -> None:
    """Sets (or renews, keeping its id) the device cookie after a successful login."""
    issued = tokens.issue(
        "device",
        user_id,
        DEVICE_LIFETIME,
        usr=username.strip().lower(),
        dev=device or secrets.token_urlsafe(12),
    )
    response.set_cookie(
        DEVICE_COOKIE,
        issued.token,
        max_age=int(DEVICE_LIFETIME.total_seconds()),
        httponly=True,
        samesite="Strict",
        secure=secure,
        path=DEVICE_COOKIE_PATH,
    )
