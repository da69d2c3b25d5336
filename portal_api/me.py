"""The caller's own profile (language and time zone drive every page they see) and password."""

from __future__ import annotations

from typing import Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from classroom_server.db import Database
from classroom_server.logins import LoginRefused, Logins
from classroom_server.security import Attempt
from classroom_server.security.proxies import client_address
from classroom_server.users import update_profile
from classroom_server.web_auth import current_identity, require_user
from classroom_server.web_problems import Problem, too_many_attempts
from portal_api.router import ApiRouter
from portal_api.schemas import AccountOut, Email, Language, TimeZone

router = ApiRouter()


class ProfileUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    display_name: str | None = Field(None, min_length=1, max_length=120)
    preferred_language: Language | None = None
    time_zone: TimeZone | None = None
    email: Email | Literal[""] | None = None


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=8, max_length=256)


@router.route("GET", "/me", tag="me", response=AccountOut)
async def get_me(request: web.Request) -> AccountOut:
    """The logged-in user (a guest too: the room page asks who is there)."""
    identity = await current_identity(request)
    guest_of = identity.user.guest_lecture_id if identity is not None else None
    return AccountOut.model_validate(await require_user(request, guest_lecture=guest_of))


@router.route("PATCH", "/me", tag="me", body=ProfileUpdate, response=AccountOut)
async def update_me(request: web.Request, body: ProfileUpdate, db: Database) -> AccountOut:
    """Change your display name, language, time zone or e-mail address."""
    caller = await require_user(request)
    changes = body.model_dump(exclude_none=True)
    if changes.get("email") == "":
        changes["email"] = None
    async with db.session() as session:
        user = await update_profile(session, caller.id, changes)
        await session.commit()
    return AccountOut.model_validate(user)


@router.route("POST", "/me/password", tag="me", body=PasswordChange, status=204, errors=(403, 429))
async def change_password(request: web.Request, body: PasswordChange, logins: Logins) -> None:
    """Change your password; every other session and token of yours ends, on every server.

    The session or token making the change stays. A wrong current password counts as a
    failed login for the throttle (a stolen session must not become a password oracle)."""
    caller = await require_user(request)
    identity = await current_identity(request)
    assert identity is not None
    attempt = Attempt(caller.username, client_address(request))
    try:
        await logins.change_password(
            attempt,
            caller.id,
            body.current_password,
            body.new_password,
            keep_session=identity.session_id,
        )
    except LoginRefused as exc:
        if exc.reason == "throttled":
            raise too_many_attempts(exc.retry_after, "Too many failed attempts") from exc
        raise Problem(
            403, "wrong_password", "Wrong password", "The current password is wrong"
        ) from exc
