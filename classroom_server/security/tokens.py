"""Signed JWTs for API access, browser sessions and (later) room joins.

Each token carries a ``typ`` claim so a token minted for one purpose is refused for another: a
short-lived join token cannot be replayed as an API bearer token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import jwt

TokenType = Literal["access", "session", "join", "calendar", "device", "guest"]
ALGORITHM = "HS256"


class TokenError(Exception):
    """The token is malformed, expired, of the wrong type or badly signed."""


@dataclass(frozen=True)
class IssuedToken:
    token: str
    jti: str
    expires: datetime


class TokenIssuer:
    def __init__(self, key: str) -> None:
        self._key = key

    def issue(
        self, typ: TokenType, subject: int, lifetime: timedelta, **claims: Any
    ) -> IssuedToken:
        now = datetime.now(UTC)
        jti = secrets.token_urlsafe(12)
        return self.sign(typ, subject, jti, now, now + lifetime, **claims)

    def sign(
        self,
        typ: TokenType,
        subject: int,
        jti: str,
        issued: datetime,
        expires: datetime,
        **claims: Any,
    ) -> IssuedToken:
        """The token for exactly these claims: signing the same ones again gives the same
        token (a guest link can be copied again from what its row keeps)."""
        payload = {
            "sub": str(subject),
            "typ": typ,
            "iat": issued,
            "exp": expires,
            "jti": jti,
            **claims,
        }
        return IssuedToken(jwt.encode(payload, self._key, algorithm=ALGORITHM), jti, expires)

    def verify(self, token: str, typ: TokenType) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token, self._key, algorithms=[ALGORITHM], options={"require": ["exp", "sub"]}
            )
        except jwt.PyJWTError as exc:
            raise TokenError(str(exc)) from exc
        if claims.get("typ") != typ:
            raise TokenError(f"expected a {typ} token")
        return claims

    def csrf_token(self, session_jti: str) -> str:
        """Bound to one session, so a token read from another session is worthless."""
        return hmac.new(self._key.encode(), session_jti.encode(), hashlib.sha256).hexdigest()

    def csrf_matches(self, session_jti: str, presented: str) -> bool:
        return hmac.compare_digest(self.csrf_token(session_jti), presented)
