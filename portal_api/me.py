"""The caller's own profile: language and time zone drive every page they see."""

from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from classroom_server.db import User
from classroom_server.services import services
from classroom_server.web_auth import require_user
from portal_api.router import ApiRouter
from portal_api.schemas import Language, TimeZone, UserOut

router = ApiRouter()


class ProfileUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    display_name: str | None = Field(None, min_length=1, max_length=120)
    preferred_language: Language | None = None
    time_zone: TimeZone | None = None


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
