"""Accounts: creation, password login and profile changes."""

from __future__ import annotations

import asyncio
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import Role, User, add_unique
from classroom_server.security import hash_password, verify_password

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


async def create_user(
    session: AsyncSession,
    username: str,
    password: str,
    role: Role,
    display_name: str | None = None,
    preferred_language: str = "en",
    time_zone: str = "UTC",
) -> User:
    user = User(
        username=normalise_username(username),
        password_hash=await asyncio.to_thread(hash_password, password),
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
    user = await find_user(session, username)
    # argon2 costs tens of milliseconds of CPU: keep it off the event loop.
    ok = await asyncio.to_thread(verify_password, user.password_hash if user else None, password)
    return user if ok else None


async def count_users(session: AsyncSession) -> int:
    return await session.scalar(select(func.count()).select_from(User)) or 0
