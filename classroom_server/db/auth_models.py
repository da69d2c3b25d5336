"""Server-side records of the sessions and bearer tokens in circulation.

A signed token alone would stay valid until it expires, whatever happens to its user; so every
browser session and API access token has a row here, named by the token's ``jti``, and a token
whose row is gone is refused. Logout deletes one row; a password change or disabling the user
deletes all of theirs. The rows live in the database every server process shares, so an ended
session is ended on every node at once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from classroom_server.db.models import Base, utcnow

SESSION_KINDS = ("session", "access")


class AuthSession(Base):
    __tablename__ = "auth_sessions"
    __table_args__ = (
        CheckConstraint(f"kind IN {SESSION_KINDS!r}", name="kind"),
        Index("ix_auth_sessions_user_id", "user_id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # the token's jti
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
