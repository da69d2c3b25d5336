"""Relational data: models, the async engine, and migrations."""

from classroom_server.db.engine import Database, add_unique
from classroom_server.db.migrate import upgrade
from classroom_server.db.models import (
    Base,
    Course,
    CourseRole,
    Enrolment,
    Lecture,
    LectureStatus,
    Role,
    User,
)

__all__ = [
    "Base",
    "Course",
    "CourseRole",
    "Database",
    "Enrolment",
    "Lecture",
    "LectureStatus",
    "Role",
    "User",
    "add_unique",
    "upgrade",
]
