"""The API's edge: a NUL character anywhere in a body, a query or an upload form is a 422
naming where it was, on PostgreSQL (which refuses NUL in text) as on SQLite; and the handlers
are handed what their parameters' types ask for, or the app does not start."""

from __future__ import annotations

from datetime import UTC, datetime

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import BaseModel

from portal_api.router import ApiRouter
from portal_api.schemas import Page
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


class Greeter:
    def __init__(self, word: str) -> None:
        self.word = word


class Unprovided:
    """A type the composition root never provides."""


class Greeting(BaseModel):
    text: str


async def test_a_handler_is_handed_the_instance_of_each_type_it_asks_for() -> None:
    router = ApiRouter()

    @router.route("GET", "/greet", tag="t", query=Page, response=Greeting, auth=False)
    async def greet(request: web.Request, query: Page, greeter: Greeter) -> Greeting:
        return Greeting(text=f"{greeter.word} {query.limit}")

    app = web.Application()
    router.setup(app, {Greeter: Greeter("hello")})
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/api/v1/greet", params={"limit": "3"})
        assert await response.json() == {"text": "hello 3"}


def test_a_handler_asking_for_what_nobody_provides_stops_the_setup() -> None:
    router = ApiRouter()

    @router.route("GET", "/lost", tag="t", auth=False)
    async def lost(request: web.Request, thing: Unprovided) -> None:
        return None

    with pytest.raises(TypeError, match=r"lost asks for thing.*Unprovided"):
        router.setup(web.Application(), {Greeter: Greeter("hello")})
