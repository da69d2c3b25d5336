"""The outbox: mail is written in the same transaction as what it tells of, then sent by
whichever server process claims it, retried with growing pauses while the SMTP server is down.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.db import OutboxMail

MAX_ATTEMPTS = 8
"""About four hours of retries (1, 2, 4 ... 128 minutes apart), then the mail is given up."""
CLAIM = timedelta(minutes=2)
"""A claimed mail is out of others' sight this long: a process that died sending it is
replaced by another after that."""
SUBJECT_CHARS = 300
ERROR_CHARS = 300


@dataclass(frozen=True)
class Letter:
    """A mail as the sender needs it, apart from the session that loaded it."""

    id: int
    recipient: str
    subject: str
    body: str
    calendar: bytes | None


def enqueue(
    session: AsyncSession,
    recipient: str | None,
    subject: str,
    body: str,
    calendar: bytes | None = None,
) -> None:
    """Adds a mail to ``session`` (the caller commits); a recipient without an address gets
    none."""
    if recipient:
        session.add(
            OutboxMail(
                recipient=recipient,
                subject=subject[:SUBJECT_CHARS],
                body=body,
                calendar=calendar,
                attempts=0,
            )
        )


async def claim(session: AsyncSession, now: datetime, limit: int) -> list[Letter]:
    """Mail due now that this process takes (none another process took in the meantime)."""
    due = await session.scalars(
        select(OutboxMail)
        .where(
            OutboxMail.sent_at.is_(None),
            OutboxMail.attempts < MAX_ATTEMPTS,
            OutboxMail.send_after <= now,
        )
        .order_by(OutboxMail.send_after, OutboxMail.id)
        .limit(limit)
    )
    mine = []
    for mail in list(due):
        taken = await session.execute(
            update(OutboxMail)
            .where(OutboxMail.id == mail.id, OutboxMail.send_after == mail.send_after)
            .values(send_after=now + CLAIM)
        )
        if getattr(taken, "rowcount", 0):
            mine.append(Letter(mail.id, mail.recipient, mail.subject, mail.body, mail.calendar))
    await session.commit()
    return mine


async def settle(session: AsyncSession, mail_id: int, now: datetime, error: str | None) -> None:
    """Records a sent mail, or a failed attempt and when to try again."""
    mail = await session.get(OutboxMail, mail_id)
    if mail is None:
        return
    if error is None:
        mail.sent_at = now
    else:
        mail.attempts += 1
        mail.last_error = error[:ERROR_CHARS]
        mail.send_after = now + timedelta(minutes=2 ** (mail.attempts - 1))
    await session.commit()
