"""Opening, checking and ending server-side sessions (browser cookies and bearer tokens).

A token is signed (so it cannot be forged) and also recorded (so it can be taken back): see
``classroom_server.db.auth_models``. Checking one costs the same single query that loading the
caller's user already did: the user is read joined to the token's row.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import AuthSession, User
from classroom_server.security.tokens import IssuedToken, TokenIssuer

Kind = Literal["session", "access"]


async def open_session(
    session: AsyncSession, tokens: TokenIssuer, user: User, kind: Kind, lifetime: timedelta
) -> IssuedToken:
    """Issues a token of ``kind`` for ``user`` and records it; the caller commits."""
    issued = tokens.issue(kind, user.id, lifetime)
    # The user's expired rows go whenever they log in, so the table holds live tokens only.
    await session.execute(
        delete(AuthSession).where(
            AuthSession.user_id == user.id, AuthSession.expires_at <= datetime.now(UTC)
        )
    )
    session.add(AuthSession(id=issued.jti, user_id=user.id, kind=kind, expires_at=issued.expires))
    return issued


async def session_user(session: AsyncSession, jti: str, subject: int, kind: Kind) -> User | None:
    """The enabled user a recorded, unexpired token of ``kind`` belongs to, else None."""
    query = (
        select(User)
        .join(AuthSession, AuthSession.user_id == User.id)
        .where(
            AuthSession.id == jti,
            AuthSession.user_id == subject,
            AuthSession.kind == kind,
            AuthSession.expires_at > datetime.now(UTC),
            User.disabled.is_(False),
        )
    )
    user: User | None = await session.scalar(query)
    return user


async def end_session(session: AsyncSession, jti: str) -> None:
    await session.execute(delete(AuthSession).where(AuthSession.id == jti))


async def end_all_sessions(session: AsyncSession, user_id: int, keep: str | None = None) -> int:
    """Ends every session and token of ``user_id`` but ``keep``; how many were ended."""
    query = delete(AuthSession).where(AuthSession.user_id == user_id)
    if keep is not None:
        query = query.where(AuthSession.id != keep)
    result = await session.execute(query)
    return int(getattr(result, "rowcount", 0) or 0)
