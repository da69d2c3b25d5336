"""Account administration (admins only)."""

from __future__ import annotations

from typing import Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from classroom_server.db import Role
from classroom_server.services import services
from classroom_server.users import UsernameTaken, create_user
from classroom_server.web_auth import require_user
from classroom_server.web_problems import Problem
from portal_api.router import ApiRouter
from portal_api.schemas import Language, TimeZone, UserOut

router = ApiRouter()


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    password: str = Field(min_length=8, max_length=256)
    display_name: str | None = Field(None, min_length=1, max_length=120)
    role: Literal["admin", "educator", "student"] = "student"
    preferred_language: Language = "en"
    time_zone: TimeZone = "UTC"


@router.route(
    "POST", "/users", tag="users", body=UserCreate, response=UserOut, status=201, errors=(409,)
)
async def post_user(request: web.Request, body: UserCreate) -> UserOut:
    """Create an account."""
    await require_user(request, Role.ADMIN)
    fields = body.model_dump()
    fields["role"] = Role(fields["role"])
    async with services(request).database.session() as session:
        try:
            user = await create_user(session, **fields)
        except UsernameTaken as exc:
            raise Problem(409, "conflict", "Conflict", f"username {exc} is taken") from exc
        await session.commit()
    return UserOut.of(user)
