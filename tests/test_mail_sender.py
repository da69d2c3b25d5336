"""Handing mail to a real SMTP server on loopback: the URL setting, the message with its
calendar invitation, and an SMTP server that is down costing retries, not mail."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from classroom_server.db import Database, OutboxMail, upgrade
from classroom_server.mail_announcements import Announcer
from classroom_server.mail_outbox import enqueue
from classroom_server.mail_sender import MailSender, SmtpServer
from tests.conftest import free_port
from tests.mailbox import Mailbox, calendar_of, running_mailbox

INVITE = b"BEGIN:VCALENDAR\r\nMETHOD:CANCEL\r\nEND:VCALENDAR\r\n"


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with running_mailbox() as box:
        yield box


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'mail.sqlite3'}")
    await upgrade(db)
    yield db
    await db.close()


def test_the_url_says_where_and_how() -> None:
    plain = SmtpServer.from_url("smtp://mail.example.edu")
    assert (plain.host, plain.port, plain.implicit_tls) == ("mail.example.edu", 25, False)
    assert plain.sender == "classroom@mail.example.edu" and plain.username is None
    tls = SmtpServer.from_url("smtps://us%40er:p%3Ass@mx.example.edu?from=noreply@qou.edu")
    assert (tls.port, tls.implicit_tls, tls.sender) == (465, True, "noreply@qou.edu")
    assert (tls.username, tls.password) == ("us@er", "p:ss")
    assert SmtpServer.from_url("smtp://mx:2525").port == 2525
    with pytest.raises(ValueError, match="QOU_SMTP_URL"):
        SmtpServer.from_url("http://mx.example.edu")


def sender(database: Database, port: int) -> MailSender:
    smtp = SmtpServer.from_url(f"smtp://127.0.0.1:{port}?from=classroom@qou.test")
    return MailSender(database, smtp, Announcer("https://qou.test", timedelta(0)))


async def queued(database: Database, recipient: str, calendar: bytes | None = None) -> int:
    async with database.session() as session:
        enqueue(session, recipient, "Office hour cancelled", "Body text", calendar)
        await session.commit()
        mail = (await session.execute(OutboxMail.__table__.select())).all()[-1]
    return int(mail.id)


async def test_a_mail_and_its_invitation_arrive(database: Database, mailbox: Mailbox) -> None:
    mail_id = await queued(database, "lina@example.org", INVITE)
    await sender(database, mailbox.port).once()
    [message] = await mailbox.wait_for("lina@example.org", 1)
    assert message["From"] == "classroom@qou.test"
    assert message["Subject"] == "Office hour cancelled"
    body = message.get_body(("plain",))
    assert body is not None and body.get_content().strip() == "Body text"
    method, text = calendar_of(message)
    assert method == "CANCEL" and "METHOD:CANCEL" in text
    async with database.session() as session:
        mail = await session.get(OutboxMail, mail_id)
        assert mail is not None and mail.sent_at is not None and mail.attempts == 0
    await sender(database, mailbox.port).once()
    assert len(mailbox.to("lina@example.org")) == 1, "a sent mail is not sent again"


async def test_a_server_that_is_down_costs_a_retry(database: Database, mailbox: Mailbox) -> None:
    mail_id = await queued(database, "omar@example.org")
    await sender(database, free_port()).once()  # nothing listens there
    async with database.session() as session:
        mail = await session.get(OutboxMail, mail_id)
        assert mail is not None and mail.sent_at is None and mail.attempts == 1
        assert mail.last_error and mail.send_after > datetime.now(UTC) + timedelta(seconds=50)
        mail.send_after = datetime.now(UTC)  # the minute of back-off has passed
        await session.commit()
    await sender(database, mailbox.port).once()
    await mailbox.wait_for("omar@example.org", 1)
