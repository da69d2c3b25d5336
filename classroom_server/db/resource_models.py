"""Digital-repository links attached to a course: articles, books, datasets, open courses."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from classroom_server.db.models import Base, utcnow

RESOURCE_KINDS = (
    "journal_article",
    "book",
    "research",
    "slides",
    "dataset",
    "open_course",
    "video",
)


class Resource(Base):
    __tablename__ = "resources"
    __table_args__ = (
        CheckConstraint(f"kind IN {RESOURCE_KINDS!r}", name="kind"),
        CheckConstraint("url IS NOT NULL OR video_id IS NOT NULL", name="target"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(Text)
    video_id: Mapped[int | None] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    # Dublin Core elements, as digital repositories describe their items.
    creator: Mapped[str] = mapped_column(String(300), default="")
    date: Mapped[str] = mapped_column(String(32), default="")
    identifier: Mapped[str] = mapped_column(String(300), default="")
    licence: Mapped[str] = mapped_column(String(100), default="")
    language: Mapped[str] = mapped_column(String(16), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
