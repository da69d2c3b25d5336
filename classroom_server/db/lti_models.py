"""What LTI 1.3 keeps: the platforms (LMSs) an admin registered, the tool's own signing keys,
the logins under way, and the links between an LMS's users, contexts and line items and ours.

A platform's user is named by (issuer, ``sub``), a context by (issuer, context id), not by
the registration: an issuer's ``sub`` names one person whatever client id the tool has there,
and an admin who removes and registers a platform again (a new URL, a new client id) finds its
people and courses as they were. Each maps to one of our accounts or courses, made on first
sight as the BBB API makes its own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from classroom_server.db.models import Base, utcnow


class LtiPlatform(Base):
    """A registration: the LMS (``issuer``) and the client id it gave this tool, with the
    deployments it may launch from and the endpoints the tool talks to."""

    __tablename__ = "lti_platforms"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issuer: Mapped[str] = mapped_column(String(512))
    client_id: Mapped[str] = mapped_column(String(256))
    deployment_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    auth_url: Mapped[str] = mapped_column(String(2048))
    token_url: Mapped[str] = mapped_column(String(2048))
    jwks_url: Mapped[str] = mapped_column(String(2048))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LtiKey(Base):
    """The tool's RSA key pairs: the newest signs; a retired one stays published in the JWKS
    for a while so a platform's cached copy of the old key still verifies late messages."""

    __tablename__ = "lti_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    private_pem: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(default=None)


class LtiLogin(Base):
    """An OIDC login under way: its ``state`` comes back with the platform's ``id_token``,
    whose nonce must be this one; ``used`` flips once, so a replayed token is refused."""

    __tablename__ = "lti_logins"

    state: Mapped[str] = mapped_column(String(64), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64))
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    used: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    expires_at: Mapped[datetime] = mapped_column(index=True)


class LtiUser(Base):
    """An account made for (or linked to) a platform's user, named by its ``sub``."""

    __tablename__ = "lti_users"
    __table_args__ = (UniqueConstraint("issuer", "sub"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    issuer: Mapped[str] = mapped_column(String(512))
    sub: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LtiContext(Base):
    """A platform's course (context) mapped onto one of ours, with the registration whose
    launch came last and the service endpoints it named: the roster (NRPS) and the gradebook
    (AGS). Its registration removed, the services wait for the next launch."""

    __tablename__ = "lti_contexts"
    __table_args__ = (UniqueConstraint("issuer", "context_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issuer: Mapped[str] = mapped_column(String(512))
    platform_id: Mapped[int | None] = mapped_column(
        ForeignKey("lti_platforms.id", ondelete="SET NULL")
    )
    context_id: Mapped[str] = mapped_column(String(256))
    course_id: Mapped[int] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), unique=True
    )
    memberships_url: Mapped[str | None] = mapped_column(String(2048), default=None)
    lineitems_url: Mapped[str | None] = mapped_column(String(2048), default=None)
    lineitem_url: Mapped[str | None] = mapped_column(String(2048), default=None)
    ags_scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    synced_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LtiLineItem(Base):
    """The gradebook column a quiz's scores go to in a context, made by the tool."""

    __tablename__ = "lti_line_items"
    __table_args__ = (UniqueConstraint("context_id", "quiz_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("lti_contexts.id", ondelete="CASCADE"))
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(2048))


class LtiScore(Base):
    """A quiz attempt's score owed to (or sent to) a platform's gradebook: the process that
    inserts the row sends it; failures are retried a few times, then left as failed."""

    __tablename__ = "lti_scores"

    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("quiz_attempts.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|sent|failed
    tries: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    detail: Mapped[str] = mapped_column(String(512), default="")
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
