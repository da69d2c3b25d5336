"""Self-paced modules: ordered units (video, reading, quiz), quiz attempts and per-student progress.

Quiz questions are one JSON document per quiz: they are read and replaced as a whole, never
queried by field, and keeping them in one column lets the answer key stay server-side in a
single place. Attempts are numbered per student and quiz under a unique constraint, so a
summative quiz's attempt limit holds even when two submissions race.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from classroom_server.db.models import Base, utcnow

UNIT_KINDS = ("video", "reading", "quiz")
PROGRESS_STATES = ("in_progress", "completed")


class Module(Base):
    __tablename__ = "modules"
    __table_args__ = (
        CheckConstraint("mastery_threshold > 0 AND mastery_threshold <= 1", name="threshold"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    sequential: Mapped[bool] = mapped_column(Boolean, default=True)
    mastery_threshold: Mapped[float] = mapped_column(Float, default=0.8)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    # Published as an open educational resource: readable without enrolment or login.
    open_course: Mapped[bool] = mapped_column(Boolean, default=False)
    licence: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Unit(Base):
    __tablename__ = "units"
    __table_args__ = (
        CheckConstraint(f"kind IN {UNIT_KINDS!r}", name="kind"),
        CheckConstraint(
            "(kind = 'video' AND video_id IS NOT NULL)"
            " OR (kind = 'reading' AND resource_id IS NOT NULL) OR kind = 'quiz'",
            name="target",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    video_id: Mapped[int | None] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"))
    resource_id: Mapped[int | None] = mapped_column(ForeignKey("resources.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Quiz(Base):
    """The quiz of a ``quiz`` unit; ``max_attempts`` is None for a formative (unlimited) one."""

    __tablename__ = "quizzes"
    __table_args__ = (
        CheckConstraint("max_attempts IS NULL OR max_attempts >= 1", name="max_attempts"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), unique=True)
    summative: Mapped[bool] = mapped_column(Boolean, default=False)
    max_attempts: Mapped[int | None] = mapped_column(Integer)
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class QuizAttempt(Base):
    __tablename__ = "quiz_attempts"
    __table_args__ = (
        UniqueConstraint("quiz_id", "user_id", "number", name="uq_quiz_attempts_quiz_user_number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    answers: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    score: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class UnitProgress(Base):
    """A student's state in one unit; once completed it stays completed (rewinding a video
    or a later weaker attempt does not lock the units that followed)."""

    __tablename__ = "unit_progress"
    __table_args__ = (
        UniqueConstraint("unit_id", "user_id", name="uq_unit_progress_unit_user"),
        CheckConstraint(f"state IN {PROGRESS_STATES!r}", name="state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="in_progress")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    first_score: Mapped[float | None] = mapped_column(Float)
    best_score: Mapped[float | None] = mapped_column(Float)
    last_score: Mapped[float | None] = mapped_column(Float)
    completed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
