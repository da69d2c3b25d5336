"""Accounts: creation, password login, password changes and disabling."""

from __future__ import annotations

import asyncio
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import Role, User, add_unique
from classroom_server.security import hash_password, verify_password
from classroom_server.sessions import end_all_sessions

LANGUAGES = ("en", "ar")


class UsernameTaken(Exception):
    pass


def is_time_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def normalise_username(username: str) -> str:
    return username.strip().lower()


NO_PASSWORD = "!"
"""The hash of an account that has no password (it enters through an LMS only): not an argon2
hash, so no password verifies against it, and making one costs no hashing."""


async def create_user(
    session: AsyncSession,
    username: str,
    password: str | None,
    role: Role,
    display_name: str | None = None,
    preferred_language: str = "en",
    time_zone: str = "UTC",
    email: str | None = None,
) -> User:
    user = User(
        email=email,
        username=normalise_username(username),
        password_hash=(
            NO_PASSWORD if password is None else await asyncio.to_thread(hash_password, password)
        ),
        display_name=display_name or username,
        role=role.value,
        preferred_language=preferred_language,
        time_zone=time_zone,
    )
    if not await add_unique(session, user):
        raise UsernameTaken(username)
    return user


async def find_user(session: AsyncSession, username: str) -> User | None:
    query = select(User).where(User.username == normalise_username(username))
    result: User | None = await session.scalar(query)
    return result


async def authenticate(session: AsyncSession, username: str, password: str) -> User | None:
    """The user whose password this is (disabled or not: the caller says which it refuses)."""
    user = await find_user(session, username)
    # argon2 costs tens of milliseconds of CPU: keep it off the event loop.
    ok = await asyncio.to_thread(verify_password, user.password_hash if user else None, password)
    return user if ok else None


async def password_matches(user: User, password: str) -> bool:
    return await asyncio.to_thread(verify_password, user.password_hash, password)


async def set_password(
    session: AsyncSession, user: User, password: str, keep_session: str | None = None
) -> None:
    """A new password ends every session and token of the user (but the one making the change,
    ``keep_session``): whoever learnt the old password may already hold one."""
    user.password_hash = await asyncio.to_thread(hash_password, password)
    await end_all_sessions(session, user.id, keep=keep_session)


async def set_disabled(session: AsyncSession, user: User, disabled: bool) -> None:
    """Disabling ends every session and token of the user at once, on every server."""
    user.disabled = disabled
    if disabled:
        await end_all_sessions(session, user.id)


async def update_profile(session: AsyncSession, user_id: int, changes: dict[str, Any]) -> User:
    """The user's own edits (display name, language, time zone, e-mail) applied to the stored
    row."""
    user = await session.get(User, user_id)
    assert user is not None
    for name, value in changes.items():
        setattr(user, name, value)
    return user


async def update_account(
    session: AsyncSession,
    user: User,
    *,
    password: str | None = None,
    disabled: bool | None = None,
    role: str | None = None,
    display_name: str | None = None,
    email: str | None = None,
) -> None:
    """An admin's edits of an account; a new password or disabling ends its sessions.
    An empty ``email`` removes the address."""
    if password is not None:
        await set_password(session, user, password)
    if disabled is not None:
        await set_disabled(session, user, disabled)
    if role is not None:
        user.role = role
    if display_name is not None:
        user.display_name = display_name
    if email is not None:
        user.email = email or None


async def count_users(session: AsyncSession) -> int:
    return await session.scalar(select(func.count()).select_from(User)) or 0
