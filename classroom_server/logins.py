"""Logging in, out, and changing one's password, behind the failed-login throttle.

One ``Logins`` is built by the composition root with what these need (the accounts' database,
the token issuer, the throttle, the lifetimes from the settings) and handed to the REST
handlers, which only turn its answers into HTTP (cookies, problems, metrics).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from classroom_server.db import Database, User
from classroom_server.security import Attempt, LoginThrottle, TokenIssuer
from classroom_server.security.tokens import IssuedToken
from classroom_server.sessions import Kind, end_session, open_session
from classroom_server.users import authenticate, password_matches, set_password


class LoginRefused(Exception):
    """Why a password was not accepted: too many failures (wait ``retry_after`` seconds), a
    wrong password, or a disabled account."""

    def __init__(
        self, reason: Literal["throttled", "invalid", "disabled"], retry_after: float = 0.0
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


@dataclass(frozen=True)
class Logins:
    database: Database
    tokens: TokenIssuer
    throttle: LoginThrottle
    access_lifetime: timedelta
    session_lifetime: timedelta
    secure_cookies: bool

    async def _past_throttle(self, attempt: Attempt) -> None:
        wait = await self.throttle.retry_after(attempt)
        if wait > 0:
            raise LoginRefused("throttled", wait)

    async def check_password(self, attempt: Attempt, password: str) -> User:
        """The user ``attempt`` names if the password is theirs; a wrong one counts against
        the attempt's budget, a right one resets it (a disabled account is refused after)."""
        await self._past_throttle(attempt)
        async with self.database.session() as session:
            user = await authenticate(session, attempt.username, password)
        if user is None:
            await self.throttle.failed(attempt)
            raise LoginRefused("invalid")
        await self.throttle.succeeded(attempt)
        if user.disabled:
            raise LoginRefused("disabled")
        return user

    def lifetime(self, kind: Kind) -> timedelta:
        return self.access_lifetime if kind == "access" else self.session_lifetime

    async def open(self, user: User, kind: Kind) -> IssuedToken:
        """A recorded session (cookie) or access token (bearer) for ``user``."""
        async with self.database.session() as session:
            issued = await open_session(session, self.tokens, user, kind, self.lifetime(kind))
            await session.commit()
        return issued

    async def end(self, session_id: str) -> None:
        async with self.database.session() as session:
            await end_session(session, session_id)
            await session.commit()

    async def change_password(
        self, attempt: Attempt, user_id: int, current: str, new: str, keep_session: str | None
    ) -> None:
        """A wrong current password counts as a failed login (a stolen session must not become
        a password oracle); the change ends every other session of the user."""
        await self._past_throttle(attempt)
        async with self.database.session() as session:
            user = await session.get(User, user_id)
            assert user is not None
            if not await password_matches(user, current):
                await self.throttle.failed(attempt)
                raise LoginRefused("invalid")
            await set_password(session, user, new, keep_session=keep_session)
            await session.commit()
