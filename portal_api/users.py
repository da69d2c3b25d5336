"""Account administration (admins only): creating, disabling, password resets."""

from __future__ import annotations

from typing import Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from classroom_server.db import Database, Role, User
from classroom_server.lectures import leave_live_lectures
from classroom_server.room import RoomBroadcaster
from classroom_server.users import UsernameTaken, create_user, update_account
from classroom_server.web_auth import require_user
from classroom_server.web_problems import Problem, not_found
from portal_api.router import ApiRouter, path_id
from portal_api.schemas import AccountOut, Email, Language, TimeZone

router = ApiRouter()


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    password: str = Field(min_length=8, max_length=256)
    display_name: str | None = Field(None, min_length=1, max_length=120)
    role: Literal["admin", "educator", "student"] = "student"
    preferred_language: Language = "en"
    time_zone: TimeZone = "UTC"
    email: Email | None = None


class UserAdminOut(AccountOut):
    disabled: bool


@router.route(
    "POST", "/users", tag="users", body=UserCreate, response=UserAdminOut, status=201, errors=(409,)
)
async def post_user(request: web.Request, body: UserCreate, db: Database) -> UserAdminOut:
    """Create an account."""
    await require_user(request, Role.ADMIN)
    fields = body.model_dump()
    fields["role"] = Role(fields["role"])
    async with db.session() as session:
        try:
            user = await create_user(session, **fields)
        except UsernameTaken as exc:
            raise Problem(409, "conflict", "Conflict", f"username {exc} is taken") from exc
        await session.commit()
    return UserAdminOut.model_validate(user)


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    disabled: bool | None = Field(
        None, description="true ends every session and token of the user and refuses logins"
    )
    password: str | None = Field(
        None, min_length=8, max_length=256, description="a new password; ends every session"
    )
    role: Literal["admin", "educator", "student"] | None = None
    display_name: str | None = Field(None, min_length=1, max_length=120)
    email: Email | Literal[""] | None = None


@router.route(
    "PATCH",
    "/users/{user_id}",
    tag="users",
    body=UserUpdate,
    response=UserAdminOut,
    errors=(404, 409),
)
async def patch_user(
    request: web.Request, body: UserUpdate, db: Database, broadcaster: RoomBroadcaster
) -> UserAdminOut:
    """Disable or enable an account, reset its password, change its role or name.

    Disabling or a new password ends the user's sessions and tokens at once, on every server
    (they live in the shared database), and their live room connections."""
    admin = await require_user(request, Role.ADMIN)
    user_id = path_id(request, "user_id", "user")
    async with db.session() as session:
        user = await session.get(User, user_id)
        if user is None:
            raise not_found(f"user {user_id}")
        if user.id == admin.id and (body.disabled or body.role not in (None, Role.ADMIN.value)):
            raise Problem(
                409, "conflict", "Conflict", "You may not disable or demote your own account"
            )
        await update_account(session, user, **body.model_dump(exclude_none=True))
        await session.commit()
        if body.disabled or body.password is not None:
            await leave_live_lectures(session, broadcaster, user.id)
    return UserAdminOut.model_validate(user)
