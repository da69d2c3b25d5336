"""The API's edge: a NUL character anywhere in a body, a query or an upload form is a 422
naming where it was, on PostgreSQL (which refuses NUL in text) as on SQLite."""

from __future__ import annotations

from datetime import UTC, datetime

import aiohttp

from tests.conftest import Server, bearer
from tests.documents import make_pdf
from tests.room_client import demo_course_id, live_lecture


async def test_nul_in_a_json_body_or_a_query_is_a_422_naming_the_field(
    http: aiohttp.ClientSession, server: Server
) -> None:
    headers = await bearer(http, server, "educator")
    course = await demo_course_id(http, server)
    body = {"title": "Week\x001", "scheduled_start": datetime.now(UTC).isoformat()}
    async with http.post(
        server.url(f"/api/v1/courses/{course}/lectures"), json=body, headers=headers
    ) as response:
        assert response.status == 422, await response.text()
        problem = await response.json()
    assert problem["code"] == "validation_error"
    assert problem["errors"][0]["location"] == ["body", "title"]
    async with http.get(
        server.url("/api/v1/videos"), params={"q": "a\x00b"}, headers=headers
    ) as response:
        assert response.status == 422
        assert (await response.json())["errors"][0]["location"] == ["query", "q"]


async def test_nul_in_an_upload_form_or_file_name(
    http: aiohttp.ClientSession, server: Server
) -> None:
    headers = await bearer(http, server, "educator")
    form = aiohttp.FormData()
    form.add_field("course_id", str(await demo_course_id(http, server)))
    form.add_field("title", "Clip\x00")
    form.add_field("file", b"\x00" * 64, filename="clip.mp4", content_type="video/mp4")
    async with http.post(server.url("/api/v1/videos"), data=form, headers=headers) as response:
        assert response.status == 422, await response.text()
        assert (await response.json())["errors"][0]["location"] == ["form", "title"]

    # Browsers send the file name as typed; "%00" in it used to be decoded into the title.
    lecture = await live_lecture(http, server)
    boundary = "qou-boundary"
    raw = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="file"; filename="week%001.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + make_pdf(["x"])
        + f"\r\n--{boundary}--\r\n".encode()
    )
    multipart = {**headers, "Content-Type": f"multipart/form-data; boundary={boundary}"}
    async with http.post(
        server.url(f"/api/v1/lectures/{lecture}/decks"), data=raw, headers=multipart
    ) as response:
        assert response.status == 202, await response.text()
        assert (await response.json())["title"] == "week1"
