"""The shared secret an LMS signs its calls with: made on first use, shown or rotated by
``qou-classroom bbb-secret [--rotate]``, kept in the database (one row) so every server
process and machine checks the same one. It is never logged, and never put in an answer."""

from __future__ import annotations

import secrets

from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import BbbSecret, add_unique
from classroom_server.db.models import utcnow

ROW = 1


def new_secret() -> str:
    """40 hex characters, the shape BBB's own ``bbb-conf --secret`` prints (some LMS forms
    check it)."""
    return secrets.token_hex(20)


async def shared_secret(session: AsyncSession) -> str:
    """The secret, made and stored the first time it is asked for (two processes asking at
    once store one: the loser of the insert reads the winner's); the caller commits."""
    row = await session.get(BbbSecret, ROW)
    if row is None:
        if not await add_unique(session, BbbSecret(id=ROW, secret=new_secret())):
            row = await session.get(BbbSecret, ROW, populate_existing=True)
            assert row is not None
            return row.secret
        row = await session.get(BbbSecret, ROW)
        assert row is not None
    return row.secret


async def rotate_secret(session: AsyncSession) -> str:
    """A new secret replaces the old at once: LMSs still signing with the old are refused."""
    await shared_secret(session)
    row = await session.get(BbbSecret, ROW)
    assert row is not None
    row.secret = new_secret()
    row.created_at = utcnow()
    return row.secret
