"""What the BigBlueButton-compatible API keeps: its shared secret and the LMS's meetings.

A BBB meeting is one of our lectures; the row keeps what BBB echoes back (the LMS's meetingID,
passwords, metadata) that a lecture has no column for. An LMS such as Moodle reuses one
meetingID for every session of an activity, so a meetingID names a series of rows, the newest
being the meeting that exists now (BBB forgets an ended meeting; a new ``create`` starts
another).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from classroom_server.db.models import Base, utcnow


class BbbSecret(Base):
    """The one shared secret (row id 1): in the database so every server process and machine
    checks against the same one, and a rotation takes effect everywhere at once."""

    __tablename__ = "bbb_secrets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    secret: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BbbUser(Base):
    """An account made for (or linked to) an LMS's user: the LMS's ``userID`` names it on
    every join, and is what ``getMeetingInfo`` answers as the attendee's ``userID``."""

    __tablename__ = "bbb_users"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    external_id: Mapped[str] = mapped_column(String(256), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BbbHook(Base):
    """A webhook registered by ``hooks/create`` (BBB's bbb-webhooks API): events of one
    meeting (``meeting_id``), or of every meeting when it is null, are POSTed to the URL."""

    __tablename__ = "bbb_hooks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    callback_url: Mapped[str] = mapped_column(String(2048))
    meeting_id: Mapped[str | None] = mapped_column(String(256))
    raw: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BbbMeeting(Base):
    __tablename__ = "bbb_meetings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[str] = mapped_column(String(256), index=True)  # the LMS's meetingID
    lecture_id: Mapped[int] = mapped_column(
        ForeignKey("lectures.id", ondelete="CASCADE"), unique=True
    )
    name: Mapped[str] = mapped_column(String(256))
    attendee_pw: Mapped[str] = mapped_column(String(256))
    moderator_pw: Mapped[str] = mapped_column(String(256))
    voice_bridge: Mapped[str] = mapped_column(String(32), default="")
    dial_number: Mapped[str] = mapped_column(String(64), default="")
    record: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    max_participants: Mapped[int] = mapped_column(Integer, default=0)
    duration: Mapped[int] = mapped_column(Integer, default=0)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # meta_* without "meta_"
    user_joined: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    forcibly_ended: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The LMS's callbacks (meta_endCallbackUrl, meta_bbb-recording-ready-url) are made once:
    # the process that flips the flag makes the call.
    end_called_back: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    recording_called_back: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
