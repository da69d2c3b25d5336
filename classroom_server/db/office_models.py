"""Office hours: an educator's weekly availability and the one-to-one bookings made in it.

Double booking is refused by a partial unique index (one *booked* row per educator and start
time), so even fifty simultaneous requests for one slot yield exactly one booking, on SQLite and
PostgreSQL alike; no check in Python can race it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from classroom_server.db.models import Base, utcnow


class OfficeHours(Base):
    __tablename__ = "office_hours"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    educator_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    time_zone: Mapped[str] = mapped_column(String(64))
    slot_minutes: Mapped[int] = mapped_column(Integer, default=20)
    cutoff_minutes: Mapped[int] = mapped_column(Integer, default=60)


class AvailabilityWindow(Base):
    __tablename__ = "availability_windows"
    __table_args__ = (CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_hours_id: Mapped[int] = mapped_column(
        ForeignKey("office_hours.id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int] = mapped_column(Integer)  # Monday = 0, as in Python
    start_minute: Mapped[int] = mapped_column(Integer)  # minutes after local midnight
    end_minute: Mapped[int] = mapped_column(Integer)


class BlockedDate(Base):
    __tablename__ = "blocked_dates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_hours_id: Mapped[int] = mapped_column(
        ForeignKey("office_hours.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[date] = mapped_column(Date)


class Booking(Base):
    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint("status IN ('booked', 'cancelled')", name="status"),
        Index(
            "uq_bookings_educator_start_booked",
            "educator_id",
            "starts_at",
            unique=True,
            sqlite_where=text("status = 'booked'"),
            postgresql_where=text("status = 'booked'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    educator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    lecture_id: Mapped[int | None] = mapped_column(ForeignKey("lectures.id", ondelete="SET NULL"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), default="booked")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DropIn(Base):
    """On-demand office hours: open now, students queue, the educator admits one at a time."""

    __tablename__ = "drop_ins"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    educator_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    open: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DropInEntry(Base):
    __tablename__ = "drop_in_entries"
    __table_args__ = (
        CheckConstraint("state IN ('waiting', 'admitted', 'left')", name="state"),
        Index(
            "uq_drop_in_entries_waiting",
            "drop_in_id",
            "student_id",
            unique=True,
            sqlite_where=text("state = 'waiting'"),
            postgresql_where=text("state = 'waiting'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    drop_in_id: Mapped[int] = mapped_column(ForeignKey("drop_ins.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(16), default="waiting")
    lecture_id: Mapped[int | None] = mapped_column(ForeignKey("lectures.id", ondelete="SET NULL"))
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
