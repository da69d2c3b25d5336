"""E-mail waiting to be sent, and what has been announced by mail.

Mail goes through an outbox in the database: a booking and its confirmation commit together,
and the mail survives a restart or an SMTP server that is down; any server process sends it,
each row claimed by one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from classroom_server.db.models import Base, utcnow


class OutboxMail(Base):
    __tablename__ = "mail_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # An iCalendar attachment (METHOD:REQUEST or CANCEL), for a calendar app to add or drop.
    calendar: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Not before: a retry backs off; a row being sent is pushed ahead so others skip it.
    send_after: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(300))


class MailAnnouncement(Base):
    """That ``kind`` (a booking's reminder, a lecture going live, a recording ready) was mailed
    for ``subject_id``: the process whose insert wins sends it, so it goes once."""

    __tablename__ = "mail_announcements"
    __table_args__ = (UniqueConstraint("kind", "subject_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
