"""Sends the outbox through SMTP (``QOU_SMTP_URL``), and looks for announcements owed.

One loop per server process; rows are claimed, so several processes share the work and a
mail goes once. An SMTP server that is down costs retries, never a request's time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from classroom_server.db import Database
from classroom_server.mail_announcements import Announcer
from classroom_server.mail_outbox import Letter, claim, settle
from classroom_server.periodic import Periodic

log = logging.getLogger("qou.mail")
BATCH = 20
TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class SmtpServer:
    """Where and how to hand mail over, from a URL so one setting says it all."""

    host: str
    port: int
    sender: str
    implicit_tls: bool = False
    username: str | None = None
    password: str | None = None

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("QOU_SMTP_URL is smtp://[user:password@]host[:port][?from=address]")
        tls = parts.scheme == "smtps"
        sender = parse_qs(parts.query).get("from", [f"classroom@{parts.hostname}"])[0]
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if tls else 25),
            sender=sender,
            implicit_tls=tls,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )

    def message(self, letter: Letter) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = letter.recipient
        message["Subject"] = letter.subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        message.set_content(letter.body)
        if letter.calendar is not None:
            method = "CANCEL" if b"METHOD:CANCEL" in letter.calendar else "REQUEST"
            message.add_attachment(
                letter.calendar,
                maintype="text",
                subtype="calendar",
                filename="invite.ics",
                params={"method": method},
            )
        return message

    async def send(self, letter: Letter) -> None:
        await aiosmtplib.send(
            self.message(letter),
            hostname=self.host,
            port=self.port,
            username=self.username,
            password=self.password,
            use_tls=self.implicit_tls,
            timeout=TIMEOUT_SECONDS,
        )


@dataclass
class MailSender:
    database: Database
    smtp: SmtpServer
    announcer: Announcer
    interval: float = 2.0

    def __post_init__(self) -> None:
        self._looks = Periodic(self.once, self.interval, "sending mail")

    def start(self) -> None:
        self._looks.start()

    async def stop(self) -> None:
        await self._looks.stop()

    async def once(self) -> None:
        now = datetime.now(UTC)
        async with self.database.session() as session:
            await self.announcer.once(session, now)
            letters = await claim(session, now, BATCH)
        for letter in letters:
            error = await self._send(letter)
            async with self.database.session() as session:
                await settle(session, letter.id, datetime.now(UTC), error)

    async def _send(self, letter: Letter) -> str | None:
        try:
            await self.smtp.send(letter)
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            # The address is personal data: logged by the mail's id only.
            log.warning("mail %s not sent: %s", letter.id, type(exc).__name__)
            return f"{type(exc).__name__}: {exc}"
        return None
