"""Logging in: bearer tokens for API clients, a session cookie for the browser."""

from __future__ import annotations

import math
from typing import Literal

from aiohttp import web
from pydantic import BaseModel, Field

from classroom_server.db import User
from classroom_server.metrics import LOGIN_FAILURES
from classroom_server.security.proxies import client_address
from classroom_server.services import services
from classroom_server.users import authenticate
from classroom_server.web_auth import CSRF_COOKIE, SESSION_COOKIE, check_csrf, current_identity
from classroom_server.web_problems import Problem
from portal_api.router import ApiRouter
from portal_api.schemas import UserOut

router = ApiRouter()


class Credentials(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class LoginResponse(BaseModel):
    user: UserOut
    csrf_token: str


async def _check_password(request: web.Request, credentials: Credentials) -> User:
    throttle = services(request).throttle
    address = client_address(request)
    wait = await throttle.retry_after(credentials.username, address)
    if wait > 0:
        LOGIN_FAILURES.labels("throttled").inc()
        raise Problem(
            429,
            "too_many_attempts",
            "Too many failed logins",
            f"Try again in {math.ceil(wait)} seconds",
            headers={"Retry-After": str(math.ceil(wait))},
        )
    async with services(request).database.session() as session:
        user = await authenticate(session, credentials.username, credentials.password)
    if user is None:
        await throttle.failed(credentials.username, address)
        LOGIN_FAILURES.labels("invalid").inc()
        raise Problem(401, "invalid_credentials", "Wrong username or password")
    await throttle.succeeded(credentials.username)
    return user


@router.route(
    "POST",
    "/auth/token",
    tag="auth",
    body=Credentials,
    response=TokenResponse,
    auth=False,
    form=True,
    errors=(401, 429),
)
async def issue_token(request: web.Request, body: Credentials) -> TokenResponse:
    """Exchange a username and password for a bearer token (JSON or form body)."""
    user = await _check_password(request, body)
    svc = services(request)
    issued = svc.tokens.issue("access", user.id, svc.access_lifetime)
    return TokenResponse(
        access_token=issued.token, expires_in=int(svc.access_lifetime.total_seconds())
    )


@router.route(
    "POST",
    "/auth/login",
    tag="auth",
    body=Credentials,
    response=LoginResponse,
    auth=False,
    errors=(401, 429),
)
async def login(request: web.Request, body: Credentials) -> web.Response:
    """Browser login: sets an HttpOnly session cookie and a CSRF cookie."""
    user = await _check_password(request, body)
    svc = services(request)
    session = svc.tokens.issue("session", user.id, svc.session_lifetime)
    csrf = svc.tokens.csrf_token(session.jti)
    response = web.json_response(
        LoginResponse(user=UserOut.of(user), csrf_token=csrf).model_dump(mode="json")
    )
    max_age = int(svc.session_lifetime.total_seconds())
    secure = svc.settings.secure_cookies
    response.set_cookie(
        SESSION_COOKIE,
        session.token,
        max_age=max_age,
        httponly=True,
        samesite="Lax",
        secure=secure,
        path="/",
    )
    # Readable by the page's script, which echoes it in X-CSRF-Token (double submit).
    response.set_cookie(
        CSRF_COOKIE, csrf, max_age=max_age, samesite="Strict", secure=secure, path="/"
    )
    return response


@router.route("POST", "/auth/logout", tag="auth", auth=False)
async def logout(request: web.Request) -> web.Response:
    """End the browser session (needs the CSRF header when a session cookie is sent)."""
    identity = await current_identity(request)
    if identity is not None:
        check_csrf(request, identity)
    response = web.Response(status=204)
    response.del_cookie(SESSION_COOKIE, path="/")
    response.del_cookie(CSRF_COOKIE, path="/")
    return response
