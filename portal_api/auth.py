"""Logging in and out: bearer tokens for API clients, a session cookie for the browser."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from aiohttp import web
from pydantic import BaseModel, Field

from classroom_server.db import User
from classroom_server.logins import LoginRefused, Logins
from classroom_server.metrics import LOGIN_FAILURES
from classroom_server.security import Attempt
from classroom_server.security.devices import known_device, remember_device
from classroom_server.security.proxies import client_address
from classroom_server.web_auth import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    check_csrf,
    current_identity,
    set_session_cookies,
)
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


async def _check_password(
    request: web.Request, logins: Logins, credentials: Credentials
) -> LoggedIn:
    """The user these credentials name, past the throttle; Problem otherwise."""
    device = known_device(request, logins.tokens, credentials.username)
    attempt = Attempt(credentials.username, client_address(request), device)
    try:
        user = await logins.check_password(attempt, credentials.password)
    except LoginRefused as exc:
        LOGIN_FAILURES.labels(exc.reason).inc()
        if exc.reason == "throttled":
            raise too_many_attempts(exc.retry_after, "Too many failed logins") from exc
        if exc.reason == "disabled":
            raise Problem(
                403, "account_disabled", "Account disabled", "Ask an administrator"
            ) from exc
        raise Problem(401, "invalid_credentials", "Wrong username or password") from exc
    return LoggedIn(user, device)


def _remember(response: web.StreamResponse, logins: Logins, login: LoggedIn) -> None:
    remember_device(
        response,
        logins.tokens,
        login.user.id,
        login.user.username,
        login.device,
        logins.secure_cookies,
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
async def issue_token(request: web.Request, body: Credentials, logins: Logins) -> web.Response:
    """Exchange a username and password for a bearer token (JSON or form body).

    The token lasts ``expires_in`` seconds unless ended sooner: by ``/auth/logout`` with it,
    a password change or the account being disabled."""
    login = await _check_password(request, logins, body)
    issued = await logins.open(login.user, "access")
    answer = TokenResponse(
        access_token=issued.token, expires_in=int(logins.access_lifetime.total_seconds())
    )
    response = web.json_response(answer.model_dump(mode="json"))
    _remember(response, logins, login)
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
async def login(request: web.Request, body: Credentials, logins: Logins) -> web.Response:
    """Browser login: sets an HttpOnly session cookie and a CSRF cookie."""
    logged_in = await _check_password(request, logins, body)
    user = logged_in.user
    issued = await logins.open(user, "session")
    csrf = logins.tokens.csrf_token(issued.jti)
    response = web.json_response(
        LoginResponse(user=UserOut.of(user), csrf_token=csrf).model_dump(mode="json")
    )
    set_session_cookies(
        response, issued.token, csrf, logins.session_lifetime, logins.secure_cookies
    )
    _remember(response, logins, logged_in)
    return response


@router.route("POST", "/auth/logout", tag="auth", auth=False)
async def logout(request: web.Request, logins: Logins) -> web.Response:
    """End the session: the session cookie, or the bearer token sent with this request.

    Ended on the server, so a copy of the cookie or token is refused from then on, by every
    server process (needs the CSRF header when a session cookie is sent)."""
    identity = await current_identity(request)
    if identity is not None:
        check_csrf(request, identity)
        if identity.session_id is not None:
            await logins.end(identity.session_id)
    response = web.Response(status=204)
    response.del_cookie(SESSION_COOKIE, path="/")
    response.del_cookie(CSRF_COOKIE, path="/")
    return response
