"""Enrolling a class from a CSV file, with a per-row report of what happened."""

from __future__ import annotations

import csv
import io
from typing import Literal

from aiohttp import web
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from classroom_server.courses import Conflict, enrol_username
from classroom_server.db import CourseRole, Database, Role
from classroom_server.web_auth import require_user
from classroom_server.web_problems import Problem
from portal_api.access import require_course
from portal_api.router import ApiRouter, path_id

router = ApiRouter()
MAX_BYTES = 1024 * 1024
MAX_ROWS = 5000


class RowReport(BaseModel):
    row: int
    username: str
    status: Literal["enrolled", "already_enrolled", "error"]
    message: str | None = None


class CsvReport(BaseModel):
    enrolled: int
    failed: int
    rows: list[RowReport]


async def _csv_text(request: web.Request) -> str:
    if request.content_length is not None and request.content_length > MAX_BYTES:
        raise Problem(413, "payload_too_large", "Payload too large", "At most 1 MB of CSV")
    raw = await request.content.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise Problem(413, "payload_too_large", "Payload too large", "At most 1 MB of CSV")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Problem(400, "bad_encoding", "Not UTF-8", "Save the CSV as UTF-8") from exc


def _rows(text: str) -> list[dict[str, str]]:
    """The CSV's rows; any line ending (\\n, \\r\\n, a lone \\r) ends a row, and what the csv
    module cannot read is a 422, not a 500."""
    try:
        return _read_rows(csv.DictReader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise Problem(
            422, "validation_error", "Invalid CSV", f"The CSV cannot be read: {exc}"
        ) from exc


def _read_rows(reader: csv.DictReader[str]) -> list[dict[str, str]]:
    if reader.fieldnames is None or "username" not in [f.strip() for f in reader.fieldnames]:
        raise Problem(
            422,
            "validation_error",
            "Invalid CSV",
            "The first line must name the columns: username[,role]",
        )
    rows = []
    for row in reader:
        rows.append({(k or "").strip(): (v or "").strip() for k, v in row.items()})
        if len(rows) > MAX_ROWS:
            raise Problem(413, "payload_too_large", "Too many rows", f"At most {MAX_ROWS} rows")
    return rows


@router.route(
    "POST",
    "/courses/{course_id}/enrolments/csv",
    tag="courses",
    response=CsvReport,
    raw_body="text/csv",
    errors=(413,),
)
async def enrol_csv(request: web.Request, db: Database) -> CsvReport:
    """Enrol people from a CSV body (text/csv) with columns username and optional role."""
    user = await require_user(request, Role.EDUCATOR, Role.ADMIN)
    course_id = path_id(request, "course_id", "course")
    if request.content_type not in ("text/csv", "text/plain"):
        raise Problem(415, "unsupported_media_type", "Unsupported media type", "Send text/csv")
    rows = _rows(await _csv_text(request))
    report: list[RowReport] = []
    async with db.session() as session:
        await require_course(
            session,
            user,
            course_id,
            manage=True,
            denied="Only the course's educators may enrol people",
        )
        for number, row in enumerate(rows, start=2):  # line 1 is the header
            report.append(await _enrol_row(session, course_id, number, row))
        await session.commit()
    enrolled = sum(r.status == "enrolled" for r in report)
    return CsvReport(
        enrolled=enrolled, failed=sum(r.status == "error" for r in report), rows=report
    )


async def _enrol_row(
    session: AsyncSession, course_id: int, number: int, row: dict[str, str]
) -> RowReport:
    username, role = row.get("username", ""), (row.get("role") or "student").lower()
    if role not in ("student", "educator"):
        return RowReport(
            row=number, username=username, status="error", message=f"unknown role {role!r}"
        )
    try:
        member = await enrol_username(session, course_id, username, CourseRole(role))
    except Conflict as exc:
        already = "already" in str(exc)
        return RowReport(
            row=number,
            username=username,
            status="already_enrolled" if already else "error",
            message=None if already else str(exc),
        )
    if member is None:
        return RowReport(row=number, username=username, status="error", message="no such user")
    return RowReport(row=number, username=username, status="enrolled")
