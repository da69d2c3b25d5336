"""The outbox: written with what it tells of, claimed by one sender at a time, retried with
growing pauses, and given up after a day of failures."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from classroom_server.db import Database, OutboxMail, upgrade
from classroom_server.mail_outbox import CLAIM, MAX_ATTEMPTS, claim, enqueue, settle
from tests.conftest import DATABASES, run_postgres_url, scratch_postgres

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(params=DATABASES)
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    if request.param == "postgresql":
        db = Database(await scratch_postgres(run_postgres_url("outbox")))
    else:
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'outbox.sqlite3'}")
    await upgrade(db)
    yield db
    await db.close()


async def fill(database: Database, *recipients: str | None) -> None:
    async with database.session() as session:
        for recipient in recipients:
            enqueue(session, recipient, "Subject", "Body")
        await session.commit()
        rows = await session.scalars(select(OutboxMail))
        for row in rows:
            row.send_after = NOW  # as if written now
        await session.commit()


async def test_no_address_no_mail(database: Database) -> None:
    await fill(database, None, "", "a@example.org")
    async with database.session() as session:
        assert await session.scalar(select(func.count()).select_from(OutboxMail)) == 1


async def test_each_mail_is_claimed_by_one_sender(database: Database) -> None:
    await fill(database, "a@example.org", "b@example.org", "c@example.org")
    async with database.session() as one, database.session() as other:
        first = await claim(one, NOW, 2)
        second = await claim(other, NOW, 10)
    assert [m.recipient for m in first] == ["a@example.org", "b@example.org"]
    assert [m.recipient for m in second] == ["c@example.org"]
    async with database.session() as session:
        assert await claim(session, NOW + CLAIM / 2, 10) == []
        # A sender that died with its claim: the mail is taken again after the claim lapsed.
        again = await claim(session, NOW + CLAIM, 10)
    assert len(again) == 3


async def test_failures_back_off_then_give_up(database: Database) -> None:
    await fill(database, "a@example.org")
    now, pauses = NOW, []
    for _ in range(MAX_ATTEMPTS):
        async with database.session() as session:
            [mail] = await claim(session, now, 10)
            await settle(session, mail.id, now, "SMTPConnectError: down")
            row = await session.get(OutboxMail, mail.id)
            assert row is not None and row.last_error == "SMTPConnectError: down"
            pauses.append(row.send_after - now)
            now = row.send_after
    assert pauses[:3] == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert sum(pauses, timedelta()) > timedelta(hours=4)
    async with database.session() as session:
        assert await claim(session, now + timedelta(days=1), 10) == [], "given up"


async def test_a_sent_mail_is_done(database: Database) -> None:
    await fill(database, "a@example.org")
    async with database.session() as session:
        [mail] = await claim(session, NOW, 10)
        await settle(session, mail.id, NOW, None)
        assert await claim(session, NOW + timedelta(days=1), 10) == []
        row = await session.get(OutboxMail, mail.id)
        assert row is not None and row.sent_at == NOW and row.attempts == 0
