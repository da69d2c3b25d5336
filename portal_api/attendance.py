"""Attendance and participation after the fact: per lecture (JSON and CSV) and per course.

The course's educators (and admins) see everyone; a student sees their own row only, whatever
they ask for. The CSV is for spreadsheets, so no cell may start a formula.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Literal

from aiohttp import web
from pydantic import BaseModel

from classroom_server.attendance import (
    AttendanceRow,
    CourseAttendanceRow,
    course_attendance,
    lecture_attendance,
)
from classroom_server.db import Database, Lecture
from classroom_server.policy import can_manage_course
from classroom_server.web_auth import require_user
from portal_api.access import require_course, require_lecture
from portal_api.router import ApiRouter, path_id

router = ApiRouter()
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class Stay(BaseModel):
    joined_at: datetime
    left_at: datetime | None


class AttendanceOut(BaseModel):
    user_id: int
    username: str
    name: str
    role: str
    attended: bool
    late: bool
    here_now: bool
    first_join: datetime | None
    last_leave: datetime | None
    present_seconds: int
    joins: int
    talk_seconds: int
    chat_messages: int
    hands_raised: int
    poll_answers: int
    stays: list[Stay]
    """Every join and leave (the first 100), in order; ``left_at`` null while there."""

    @classmethod
    def of(cls, row: AttendanceRow) -> AttendanceOut:
        presence, part = row.presence, row.participation
        return cls(
            user_id=row.user_id,
            username=row.username,
            name=row.name,
            role=row.role,
            attended=presence is not None,
            late=presence is not None and presence.late,
            here_now=presence is not None and presence.here_now,
            first_join=presence.first_join if presence else None,
            last_leave=presence.last_leave if presence else None,
            present_seconds=round(presence.present_seconds) if presence else 0,
            joins=presence.joins if presence else 0,
            talk_seconds=round(part.talk_seconds),
            chat_messages=part.chat_messages,
            hands_raised=part.hands_raised,
            poll_answers=part.poll_answers,
            stays=[Stay(joined_at=j, left_at=left) for j, left in presence.stays]
            if presence
            else [],
        )


class LectureAttendance(BaseModel):
    lecture_id: int
    course_id: int
    title: str
    status: Literal["scheduled", "live", "ended"]
    started_at: datetime | None
    ended_at: datetime | None
    everyone: bool
    """True for the course's educators: ``rows`` is the whole class, not only the caller."""
    csv_url: str | None
    rows: list[AttendanceOut]


class CourseStudentAttendance(BaseModel):
    user_id: int
    username: str
    name: str
    lectures_attended: int
    lectures_total: int
    present_seconds: int
    talk_seconds: int
    chat_messages: int
    hands_raised: int
    poll_answers: int

    @classmethod
    def of(cls, row: CourseAttendanceRow) -> CourseStudentAttendance:
        part = row.participation
        return cls(
            user_id=row.user_id,
            username=row.username,
            name=row.name,
            lectures_attended=row.lectures_attended,
            lectures_total=row.lectures_total,
            present_seconds=round(row.present_seconds),
            talk_seconds=round(part.talk_seconds),
            chat_messages=part.chat_messages,
            hands_raised=part.hands_raised,
            poll_answers=part.poll_answers,
        )


class CourseAttendance(BaseModel):
    course_id: int
    lectures_held: int
    everyone: bool
    students: list[CourseStudentAttendance]


def _lecture_out(lecture: Lecture, everyone: bool, rows: list[AttendanceRow]) -> LectureAttendance:
    return LectureAttendance(
        lecture_id=lecture.id,
        course_id=lecture.course_id,
        title=lecture.title,
        status=lecture.status,
        started_at=lecture.started_at,
        ended_at=lecture.ended_at,
        everyone=everyone,
        csv_url=f"/api/v1/lectures/{lecture.id}/attendance.csv" if everyone else None,
        rows=[AttendanceOut.of(row) for row in rows],
    )


@router.route(
    "GET", "/lectures/{lecture_id}/attendance", tag="lectures", response=LectureAttendance
)
async def get_lecture_attendance(request: web.Request, db: Database) -> LectureAttendance:
    """Who attended the lecture, for how long, and how they took part: the whole class for
    its educators, your own row for a student."""
    user = await require_user(request)
    lecture_id = path_id(request, "lecture_id", "lecture")
    async with db.session() as session:
        lecture = await require_lecture(session, user, lecture_id)
        everyone = await can_manage_course(session, user, lecture.course_id)
        rows = await lecture_attendance(session, lecture, None if everyone else user.id)
    return _lecture_out(lecture, everyone, rows)


def safe_cell(value: object) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula gets a leading quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


CSV_COLUMNS = [
    "username",
    "name",
    "role",
    "attended",
    "late",
    "first_join",
    "last_leave",
    "present_minutes",
    "joins",
    "talk_seconds",
    "chat_messages",
    "hands_raised",
    "poll_answers",
]


def attendance_csv(rows: list[AttendanceOut]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        cells: list[object] = [
            row.username,
            row.name,
            row.role,
            "yes" if row.attended else "no",
            "yes" if row.late else "no",
            row.first_join.isoformat() if row.first_join else "",
            row.last_leave.isoformat() if row.last_leave else "",
            round(row.present_seconds / 60, 1),
            row.joins,
            row.talk_seconds,
            row.chat_messages,
            row.hands_raised,
            row.poll_answers,
        ]
        writer.writerow([safe_cell(cell) for cell in cells])
    return out.getvalue()


@router.route(
    "GET",
    "/lectures/{lecture_id}/attendance.csv",
    tag="lectures",
    produces="text/csv",
)
async def get_lecture_attendance_csv(request: web.Request, db: Database) -> web.Response:
    """The lecture's attendance as a CSV file with a header row, for its educators."""
    user = await require_user(request)
    lecture_id = path_id(request, "lecture_id", "lecture")
    async with db.session() as session:
        lecture = await require_lecture(session, user, lecture_id, manage=True)
        rows = await lecture_attendance(session, lecture)
    body = attendance_csv([AttendanceOut.of(row) for row in rows])
    name = f"attendance-lecture-{lecture.id}.csv"
    return web.Response(
        text=body,
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.route("GET", "/courses/{course_id}/attendance", tag="courses", response=CourseAttendance)
async def get_course_attendance(request: web.Request, db: Database) -> CourseAttendance:
    """Per student, across the course's lectures that were held: lectures attended, time in
    them, talk, chat, hands and poll answers. A student sees their own."""
    user = await require_user(request)
    course_id = path_id(request, "course_id", "course")
    async with db.session() as session:
        await require_course(session, user, course_id)
        everyone = await can_manage_course(session, user, course_id)
        rows, held = await course_attendance(session, course_id, None if everyone else user.id)
    return CourseAttendance(
        course_id=course_id,
        lectures_held=held,
        everyone=everyone,
        students=[CourseStudentAttendance.of(row) for row in rows],
    )
