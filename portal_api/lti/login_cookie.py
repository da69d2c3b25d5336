"""Binds an LTI login to the browser that started it, against login CSRF.

Without this, someone could start a login of their own, then hand another person a page that
posts their ``state`` and ``id_token`` to the launch: that person would be signed in as them
and their work would land in the other's account. The login sets a cookie named after its state
(several logins in one browser keep theirs apart); the launch goes on only if the browser
brings it back.

The platform's form reaches the launch as a cross-site POST, which carries only
``SameSite=None`` cookies, and browsers take those only over HTTPS: so behind HTTPS the cookie
is ``SameSite=None; Secure``; over plain HTTP (an LMS on the same site, as in development) it is
``Lax``.
"""

from __future__ import annotations

import hashlib

from aiohttp import web

PREFIX = "qou_lti_"
LIFETIME_S = 600  # as long as the server keeps the login's state


def cookie_name(state: str) -> str:
    return PREFIX + hashlib.sha256(state.encode()).hexdigest()[:20]


def bind(response: web.StreamResponse, state: str, path: str, secure: bool) -> None:
    response.set_cookie(
        cookie_name(state),
        "1",
        max_age=LIFETIME_S,
        path=path,
        httponly=True,
        secure=secure,
        samesite="None" if secure else "Lax",
    )


def bound(request: web.Request, state: str) -> bool:
    return request.cookies.get(cookie_name(state)) == "1"


def forget(response: web.StreamResponse, state: str, path: str) -> None:
    response.del_cookie(cookie_name(state), path=path)
