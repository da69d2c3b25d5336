"""Caption lines said in a live lecture: what a reconnecting viewer sees again.

Only final lines are kept (a captioner's typing preview is not); the recording keeps its own
copy in its timeline, at media time.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from classroom_server.db.models import Base, utcnow


class CaptionLine(Base):
    __tablename__ = "caption_lines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lecture_id: Mapped[int] = mapped_column(
        ForeignKey("lectures.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    """The captioner; None for a machine source (speech recognition)."""
    source: Mapped[str] = mapped_column(String(16))
    """Which kind of caption source said it (``room.caption_source``): captioner or asr."""
    text: Mapped[str] = mapped_column(String(500))
    lang: Mapped[str | None] = mapped_column(String(35))
    said_at: Mapped[datetime] = mapped_column(default=utcnow)
