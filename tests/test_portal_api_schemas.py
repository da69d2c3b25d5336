"""Shared request types at the edge: ids (``DbId``) and instants (``Instant``) a client sends.

An id beyond PostgreSQL's INTEGER range used to reach the database: SQLite looked it up and
found nothing, asyncpg refused the parameter and the request failed with a 500. An instant at
datetime's own limits (year 1 or 9999) overflowed when a slot length or a time zone was added.
Every such field must answer 422 problem+json naming the field, on both databases (the
``server`` fixture runs each).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest

from tests.conftest import ADMIN, Server, bearer
from tests.room_client import demo_course_id

HUGE = 2**40
LATER = (datetime.now(UTC) + timedelta(days=2)).isoformat()

# (who, method, path, request options, the field the 422 must name)
CASES: list[tuple[str, str, str, dict[str, Any], str]] = [
    ("student1", "GET", "/videos", {"params": {"course_id": HUGE}}, "course_id"),
    ("student1", "GET", "/bookings", {"params": {"course_id": HUGE}}, "course_id"),
    (
        "student1",
        "POST",
        "/bookings",
        {"json": {"educator_id": HUGE, "starts_at": LATER}},
        "educator_id",
    ),
    (
        "educator",
        "PUT",
        "/office-hours",
        {"json": {"course_id": HUGE, "time_zone": "UTC", "windows": []}},
        "course_id",
    ),
    ("educator", "POST", "/drop-ins", {"json": {"course_id": HUGE}}, "course_id"),
    (
        "educator",
        "POST",
        "/courses/{course}/resources",
        {"json": {"title": "Clip", "kind": "video", "video_id": HUGE}},
        "video_id",
    ),
    (
        "educator",
        "POST",
        "/modules/{module}/units",
        {"json": {"kind": "video", "title": "Clip", "video_id": HUGE}},
        "video_id",
    ),
    (
        "educator",
        "POST",
        "/modules/{module}/units",
        {"json": {"kind": "reading", "title": "Paper", "resource_id": HUGE}},
        "resource_id",
    ),
]


async def _module(http: aiohttp.ClientSession, server: Server, course: int) -> int:
    async with http.post(
        server.url(f"/api/v1/courses/{course}/modules"),
        headers=await bearer(http, server, "educator"),
        json={"title": "Ids"},
    ) as response:
        assert response.status == 201, await response.text()
        return int((await response.json())["id"])


@pytest.mark.parametrize(("who", "method", "path", "options", "field"), CASES)
async def test_an_id_beyond_integer_is_a_validation_problem(
    http: aiohttp.ClientSession,
    server: Server,
    who: str,
    method: str,
    path: str,
    options: dict[str, Any],
    field: str,
) -> None:
    course = await demo_course_id(http, server)
    ids = {"course": course}
    if "{module}" in path:
        ids["module"] = await _module(http, server, course)
    headers = await bearer(http, server, who)
    async with http.request(
        method, server.url("/api/v1" + path.format(**ids)), headers=headers, **options
    ) as response:
        body = await response.json(content_type=None)
        assert response.status == 422, body
        assert response.content_type == "application/problem+json"
    assert field in [e["location"][-1] for e in body["errors"]], body


async def test_a_video_upload_for_a_course_beyond_integer_is_refused(
    http: aiohttp.ClientSession, server: Server
) -> None:
    form = aiohttp.FormData()
    form.add_field("course_id", str(HUGE))
    form.add_field("title", "Clip")
    form.add_field("file", b"not really a video", filename="clip.mp4")
    async with http.post(
        server.url("/api/v1/videos"), data=form, headers=await bearer(http, server, *ADMIN)
    ) as response:
        assert response.status == 422, await response.text()
        assert response.content_type == "application/problem+json"


@pytest.mark.parametrize("instant", ["9999-12-31T23:00:00Z", "0001-01-01T00:00:00+14:00"])
async def test_an_instant_at_the_ends_of_time_is_a_validation_problem(
    http: aiohttp.ClientSession, server: Server, instant: str
) -> None:
    course = await demo_course_id(http, server)
    educator = await bearer(http, server, "educator")
    async with http.get(server.url("/api/v1/me"), headers=educator) as response:
        educator_id = (await response.json())["id"]
    student = await bearer(http, server, "student1")
    cases: list[tuple[dict[str, str], str, str, dict[str, Any], str]] = [
        (
            student,
            "GET",
            f"/educators/{educator_id}/slots",
            {"params": {"start": instant, "end": instant}},
            "start",
        ),
        (
            student,
            "POST",
            "/bookings",
            {"json": {"educator_id": educator_id, "starts_at": instant}},
            "starts_at",
        ),
        (
            educator,
            "POST",
            f"/courses/{course}/lectures",
            {"json": {"title": "Far", "scheduled_start": instant}},
            "scheduled_start",
        ),
    ]
    for headers, method, path, options, field in cases:
        async with http.request(
            method, server.url("/api/v1" + path), headers=headers, **options
        ) as response:
            body = await response.json(content_type=None)
            assert response.status == 422, (path, body)
        assert field in [e["location"][-1] for e in body["errors"]], body
