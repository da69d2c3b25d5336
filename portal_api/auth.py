"""Logging in and out: bearer tokens for API clients, a session cookie for the browser."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from aiohttp import web
from pydantic import BaseModel, Field

from classroom_server.db import User
from classroom_server.metrics import LOGIN_FAILURES
from classroom_server.security import Attempt
from classroom_server.security.devices import known_device, remember_device
from classroom_server.security.proxies import client_address
from classroom_server.services import services
from classroom_server.sessions import end_session, open_session
from classroom_server.users import authenticate
from classroom_server.web_auth import CSRF_COOKIE, SESSION_COOKIE, check_csrf, current_identity
from classroom_server.web_problems import Problem, too_many_attempts
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


@dataclass(frozen=True)
class LoggedIn:
    user: User
    device: str | None  # the known device it came from, if any


async def _check_password(request: web.Request, credentials: Credentials) -> LoggedIn:
    """The user these credentials name, past the throttle; Problem otherwise."""
    svc = services(request)
    device = known_device(request, svc.tokens, credentials.username)
    attempt = Attempt(credentials.username, client_address(request), device)
    wait = await svc.throttle.retry_after(attempt)
    if wait > 0:
        LOGIN_FAILURES.labels("throttled").inc()
        raise too_many_attempts(wait, "Too many failed logins")
    async with svc.database.session() as session:
        user = await authenticate(session, credentials.username, credentials.password)
    if user is None:
        await svc.throttle.failed(attempt)
        LOGIN_FAILURES.labels("invalid").inc()
        raise Problem(401, "invalid_credentials", "Wrong username or password")
    await svc.throttle.succeeded(attempt)
    if user.disabled:
        LOGIN_FAILURES.labels("disabled").inc()
        raise Problem(403, "account_disabled", "Account disabled", "Ask an administrator")
    return LoggedIn(user, device)


def _remember(response: web.StreamResponse, request: web.Request, login: LoggedIn) -> None:
    svc = services(request)
    remember_device(
        response,
        svc.tokens,
        login.user.id,
        login.user.username,
        login.device,
        svc.settings.secure_cookies,
    )


@router.route(
    "POST",
    "/auth/token",
    tag="auth",
    body=Credentials,
    response=TokenResponse,
    auth=False,
    form=True,
    errors=(401, 403, 429),
)
async def issue_token(request: web.Request, body: Credentials) -> web.Response:
    """Exchange a username and password for a bearer token (JSON or form body).

    The token lasts ``expires_in`` seconds unless ended sooner: by ``/auth/logout`` with it,
    a password change or the account being disabled."""
    login = await _check_password(request, body)
    svc = services(request)
    async with svc.database.session() as session:
        issued = await open_session(session, svc.tokens, login.user, "access", svc.access_lifetime)
        await session.commit()
    answer = TokenResponse(
        access_token=issued.token, expires_in=int(svc.access_lifetime.total_seconds())
    )
    response = web.json_response(answer.model_dump(mode="json"))
    _remember(response, request, login)
    return response


@router.route(
    "POST",
    "/auth/login",
    tag="auth",
    body=Credentials,
    response=LoginResponse,
    auth=False,
    errors=(401, 403, 429),
)
async def login(request: web.Request, body: Credentials) -> web.Response:
    """Browser login: sets an HttpOnly session cookie and a CSRF cookie."""
    logged_in = await _check_password(request, body)
    user = logged_in.user
    svc = services(request)
    async with svc.database.session() as session:
        issued = await open_session(session, svc.tokens, user, "session", svc.session_lifetime)
        await session.commit()
    csrf = svc.tokens.csrf_token(issued.jti)
    response = web.json_response(
        LoginResponse(user=UserOut.of(user), csrf_token=csrf).model_dump(mode="json")
    )
    max_age = int(svc.session_lifetime.total_seconds())
    secure = svc.settings.secure_cookies
    response.set_cookie(
        SESSION_COOKIE,
        issued.token,
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
    _remember(response, request, logged_in)
    return response


@router.route("POST", "/auth/logout", tag="auth", auth=False)
async def logout(request: web.Request) -> web.Response:
    """End the session: the session cookie, or the bearer token sent with this request.

    Ended on the server, so a copy of the cookie or token is refused from then on, by every
    server process (needs the CSRF header when a session cookie is sent)."""
    identity = await current_identity(request)
    if identity is not None:
        check_csrf(request, identity)
        if identity.session_id is not None:
            async with services(request).database.session() as session:
                await end_session(session, identity.session_id)
                await session.commit()
    response = web.Response(status=204)
    response.del_cookie(SESSION_COOKIE, path="/")
    response.del_cookie(CSRF_COOKIE, path="/")
    return response
