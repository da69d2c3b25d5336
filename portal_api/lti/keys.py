"""The tool's own RSA keys: made on first use and kept in the database (every server process
and machine signs with the same key), published at ``/lti/jwks`` for platforms to verify the
tool's messages (deep linking answers, client assertions for service tokens).

A rotation makes a new key that signs from then on; the retired one stays published for
``KEEP_RETIRED`` so a platform that cached the JWKS, or holds a message signed just before,
still verifies it.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import LtiKey, add_unique

ALGORITHM = "RS256"
KEY_BITS = 2048
KEEP_RETIRED = timedelta(days=7)


@dataclass(frozen=True)
class ToolKey:
    kid: str
    private_pem: str

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.private_pem, algorithm=ALGORITHM, headers={"kid": self.kid})


def _new_row() -> LtiKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return LtiKey(kid=secrets.token_hex(16), private_pem=pem)


async def _current_row(session: AsyncSession) -> LtiKey | None:
    return await session.scalar(
        select(LtiKey).where(LtiKey.retired_at.is_(None)).order_by(LtiKey.id.desc()).limit(1)
    )


async def signing_key(session: AsyncSession) -> ToolKey:
    """The key that signs now, made the first time it is asked for; the caller commits. Two
    processes making one at once may both succeed: the newest signs, both are published."""
    row = await _current_row(session)
    if row is None:
        made = _new_row()
        await add_unique(session, made)
        row = await _current_row(session)
        assert row is not None
    return ToolKey(row.kid, row.private_pem)


async def rotate_key(session: AsyncSession) -> ToolKey:
    """Retires every current key and makes a new one; the caller commits."""
    now = datetime.now(UTC)
    for row in (await session.scalars(select(LtiKey).where(LtiKey.retired_at.is_(None)))).all():
        row.retired_at = now
    made = _new_row()
    session.add(made)
    await session.flush()
    return ToolKey(made.kid, made.private_pem)


def public_jwk(key: LtiKey) -> dict[str, Any]:
    private = serialization.load_pem_private_key(key.private_pem.encode(), password=None)
    assert isinstance(private, rsa.RSAPrivateKey)
    jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(private.public_key()))
    jwk.update({"kid": key.kid, "alg": ALGORITHM, "use": "sig"})
    return jwk


async def published_keys(session: AsyncSession) -> dict[str, Any]:
    """The JWKS: the current key (made if none yet) and keys retired less than
    ``KEEP_RETIRED`` ago; the caller commits."""
    await signing_key(session)
    since = datetime.now(UTC) - KEEP_RETIRED
    rows = (
        await session.scalars(
            select(LtiKey)
            .where(LtiKey.retired_at.is_(None) | (LtiKey.retired_at > since))
            .order_by(LtiKey.id.desc())
        )
    ).all()
    return {"keys": [public_jwk(row) for row in rows]}
