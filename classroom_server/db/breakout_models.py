"""Breakout rooms: a lecture's groups, each a child lecture of its own, and prepared plans.

A group is a whole lecture (media, chat, whiteboard, presenter rights, recording), so the room
machinery serves it unchanged; these rows only say whose group it is and when it ends. They
stay after the breakout ends: the educator reads each group's chat and whiteboard later.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from classroom_server.db.models import Base, Lecture, utcnow


class Breakout(Base):
    """One split of a lecture into groups; ``ended_at`` is set once, by whoever ends it first
    (the educator, or the timer of any process)."""

    __tablename__ = "breakouts"
    __table_args__ = (
        # One split at a time per lecture, even when two educators start one at once.
        Index(
            "uq_breakouts_one_open",
            "lecture_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lecture_id: Mapped[int] = mapped_column(
        ForeignKey("lectures.id", ondelete="CASCADE"), index=True
    )
    mode: Mapped[str] = mapped_column(String(16))
    record: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ends_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    # The educator's latest message to every group ({"text", "from"}): a latecomer sees it too.
    notice: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class BreakoutGroup(Base):
    """A group of a breakout: its number, name and the child lecture that is its room."""

    __tablename__ = "breakout_groups"
    __table_args__ = (UniqueConstraint("breakout_id", "number"),)

    lecture_id: Mapped[int] = mapped_column(
        ForeignKey("lectures.id", ondelete="CASCADE"), primary_key=True
    )
    breakout_id: Mapped[int] = mapped_column(
        ForeignKey("breakouts.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(60))


class BreakoutMember(Base):
    """A student's group in a breakout: one group per student and breakout."""

    __tablename__ = "breakout_members"

    breakout_id: Mapped[int] = mapped_column(
        ForeignKey("breakouts.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    lecture_id: Mapped[int] = mapped_column(
        ForeignKey("lectures.id", ondelete="CASCADE"), index=True
    )


class BreakoutPlan(Base):
    """Groups prepared before the lecture: ``[{"name", "user_ids"}]``."""

    __tablename__ = "breakout_plans"

    lecture_id: Mapped[int] = mapped_column(
        ForeignKey("lectures.id", ondelete="CASCADE"), primary_key=True
    )
    groups: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def not_a_group_room() -> ColumnElement[bool]:
    """Lectures that are not a breakout group's room: lists, calendars, the dashboard's "live
    now" and its mail show the lecture, never its groups."""
    return Lecture.id.not_in(select(BreakoutGroup.lecture_id))
