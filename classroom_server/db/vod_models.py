"""QOU Tube's catalogue and its processing jobs.

Jobs live in the database so that pending work survives a restart and any worker process
(in-process on the embedded default, ``qou-classroom worker`` when distributed) can claim it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from classroom_server.db.models import Base, utcnow


class Video(Base):
    __tablename__ = "videos"
    __table_args__ = (
        CheckConstraint("visibility IN ('course', 'public', 'private')", name="visibility"),
        CheckConstraint("status IN ('processing', 'ready', 'failed')", name="status"),
        # PostgreSQL's full-text search reads this (migration 0022); SQLite has no such index.
        Index(
            "ix_videos_search_text_fts",
            text("to_tsvector('simple'::regconfig, search_text)"),
            postgresql_using="gin",
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    lecture_id: Mapped[int | None] = mapped_column(ForeignKey("lectures.id", ondelete="SET NULL"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    # ",tag1,tag2," in lower case: lets one portable LIKE find a tag on SQLite and PostgreSQL.
    tag_index: Mapped[str] = mapped_column(Text, default=",")
    # What a library search reads: title, description, tags, chapter titles, the shown slides'
    # text and every subtitle and caption line, lower-cased (vod.search_text keeps it current).
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    visibility: Mapped[str] = mapped_column(String(16), default="course")
    status: Mapped[str] = mapped_column(String(16), default="processing")
    duration_seconds: Mapped[float | None] = mapped_column(Float)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    renditions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class VodJob(Base):
    __tablename__ = "vod_jobs"
    __table_args__ = (
        CheckConstraint(
            "state IN ('pending', 'running', 'done', 'failed', 'cancelled')", name="state"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    video_id: Mapped[int] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    lane: Mapped[str] = mapped_column(String(16), default="fast")
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    percent: Mapped[float] = mapped_column(Float, default=0.0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    last_error: Mapped[str | None] = mapped_column(Text)
    worker: Mapped[str | None] = mapped_column(String(64))
    run_after: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class WatchPosition(Base):
    """Where a viewer stopped, so they resume there (and modules can count the video watched)."""

    __tablename__ = "watch_positions"
    __table_args__ = (
        UniqueConstraint("video_id", "user_id", name="uq_watch_positions_video_user"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    video_id: Mapped[int] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
