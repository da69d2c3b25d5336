"""The caller's own profile (language and time zone drive every page they see) and password."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from classroom_server.db import User
from classroom_server.security import Attempt
from classroom_server.security.proxies import client_address
from classroom_server.services import services
from classroom_server.users import password_matches, set_password
from classroom_server.web_auth import current_identity, require_user
from classroom_server.web_problems import Problem, too_many_attempts
from portal_api.router import ApiRouter
from portal_api.schemas import Language, TimeZone, UserOut

router = ApiRouter()


class ProfileUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    display_name: str | None = Field(None, min_length=1, max_length=120)
    preferred_language: Language | None = None
    time_zone: TimeZone | None = None


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=8, max_length=256)


@router.route("GET", "/me", tag="me", response=UserOut)
async def get_me(request: web.Request) -> UserOut:
    """The logged-in user."""
    return UserOut.of(await require_user(request))


@router.route("PATCH", "/me", tag="me", body=ProfileUpdate, response=UserOut)
async def update_me(request: web.Request, body: ProfileUpdate) -> UserOut:
    """Change your display name, language or time zone."""
    caller = await require_user(request)
    async with services(request).database.session() as session:
        user = await session.get(User, caller.id)
        assert user is not None
        for name, value in body.model_dump(exclude_none=True).items():
            setattr(user, name, value)
        await session.commit()
    return UserOut.of(user)


@router.route("POST", "/me/password", tag="me", body=PasswordChange, status=204, errors=(403, 429))
async def change_password(request: web.Request, body: PasswordChange) -> None:
    """Change your password; every other session and token of yours ends, on every server.

    The session or token making the change stays. A wrong current password counts as a
    failed login for the throttle (a stolen session must not become a password oracle)."""
    caller = await require_user(request)
    identity = await current_identity(request)
    assert identity is not None
    svc = services(request)
    attempt = Attempt(caller.username, client_address(request))
    wait = await svc.throttle.retry_after(attempt)
    if wait > 0:
        raise too_many_attempts(wait, "Too many failed attempts")
    async with svc.database.session() as session:
        user = await session.get(User, caller.id)
        assert user is not None
        if not await password_matches(user, body.current_password):
            await svc.throttle.failed(attempt)
            raise Problem(403, "wrong_password", "Wrong password", "The current password is wrong")
        await set_password(session, user, body.new_password, keep_session=identity.session_id)
        await session.commit()
