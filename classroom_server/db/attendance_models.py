"""What attendance keeps after a lecture: presence intervals and the participation counters
that nothing else stores (talk time, hands raised).

Chat messages and poll answers are already rows of their own (``room_models``); attendance
counts them there instead of keeping copies.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from classroom_server.db.models import Base


class PresenceInterval(Base):
    """One stretch of a user being in a lecture's room: from their first connection (of any
    tab or device) to their last one closing. ``left_at`` is empty while they are there."""

    __tablename__ = "presence_intervals"
    __table_args__ = (Index("ix_presence_intervals_lecture_user", "lecture_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lecture_id: Mapped[int] = mapped_column(ForeignKey("lectures.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    joined_at: Mapped[datetime]
    left_at: Mapped[datetime | None]


class ParticipationTally(Base):
    """Per lecture and user: seconds heard speaking and hands raised."""

    __tablename__ = "participation_tallies"

    lecture_id: Mapped[int] = mapped_column(
        ForeignKey("lectures.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    talk_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    hands_raised: Mapped[int] = mapped_column(Integer, default=0)
