"""Documents an LMS hands a meeting (create's pre-upload list, insertDocument): the XML list
parsed safely, and against a real server each document, fetched from an LMS stand-in on
loopback or sent inline, becoming a rendered slide deck of the lecture."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from portal_api.bbb.answers import Failed
from portal_api.bbb.documents import parse_documents
from tests.conftest import Server, free_port
from tests.documents import make_pdf
from tests.test_bbb_routes import call, failed, meeting, signed, xml


def test_the_list_is_parsed() -> None:
    inline = base64.b64encode(b"%PDF-1.4 tiny").decode()
    body = (
        "<modules><module name='presentation'>"
        "<document url='https://lms.example/files/Week%201.pdf' filename='week1.pdf'/>"
        f"<document name='notes.pdf'>{inline}</document>"
        "</module></modules>"
    ).encode()
    first, second = parse_documents(body)
    assert (first.title, first.url) == ("week1", "https://lms.example/files/Week%201.pdf")
    assert (second.title, second.content) == ("notes", b"%PDF-1.4 tiny")
    assert parse_documents(b"") == []


@pytest.mark.parametrize(
    "body",
    [
        b"<modules><document url='file:///etc/passwd'/></modules>",
        b"<modules><document>not base64!</document></modules>",
        b"<modules>",
        b"<!DOCTYPE x [<!ENTITY a 'aaaa'>]><modules>&a;</modules>",
    ],
)
def test_bad_lists_are_refused(body: bytes) -> None:
    with pytest.raises(Failed) as refused:
        parse_documents(body)
    assert refused.value.key == "invalidDocumentList"


@pytest.fixture
async def lms_files() -> AsyncIterator[str]:
    async def pdf(_request: web.Request) -> web.Response:
        return web.Response(body=make_pdf(["From the LMS"]), content_type="application/pdf")

    app = web.Application()
    app.router.add_get("/files/week1.pdf", pdf)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def decks_of(
    http: aiohttp.ClientSession, server: Server, lecture_id: int, count: int
) -> list[dict[str, object]]:
    """The lecture's decks once ``count`` of them (beside the whiteboard) are rendered."""
    for _ in range(100):
        async with http.get(server.url(f"/api/v1/lectures/{lecture_id}/decks")) as response:
            assert response.status == 200, await response.text()
            items = (await response.json())["items"]
        documents = [d for d in items if d["kind"] != "whiteboard"]
        if len(documents) == count and all(d["status"] == "ready" for d in documents):
            return documents
        await asyncio.sleep(0.2)
    raise AssertionError(f"decks not ready: {items}")


async def test_create_and_insert_documents(
    http: aiohttp.ClientSession, server: Server, lms_files: str
) -> None:
    params = meeting()
    url_list = (
        f"<modules><module name='presentation'><document url='{lms_files}/files/week1.pdf'"
        " filename='Week 1.pdf'/></module></modules>"
    )
    async with http.post(
        signed(server, "create", params), data=url_list, headers={"Content-Type": "text/xml"}
    ) as response:
        assert (await xml(response)).findtext("returncode") == "SUCCESS"
    join = {"meetingID": params["meetingID"], "fullName": "T", "role": "MODERATOR"}
    async with http.get(signed(server, "join", join), allow_redirects=False) as response:
        lecture_id = int(response.headers["Location"].rsplit("/", 1)[1])
    decks = await decks_of(http, server, lecture_id, 1)
    assert decks[0]["title"] == "Week 1"
    assert decks[0]["page_count"] == 1

    inline = base64.b64encode(make_pdf(["one", "two"])).decode()
    inserted = (
        "<modules><module name='presentation'>"
        f"<document name='Notes.pdf'>{inline}</document></module></modules>"
    )
    async with http.post(
        signed(server, "insertDocument", {"meetingID": params["meetingID"]}),
        data=inserted,
        headers={"Content-Type": "application/xml"},
    ) as response:
        assert (await xml(response)).findtext("returncode") == "SUCCESS"
    decks = await decks_of(http, server, lecture_id, 2)
    assert sorted((d["title"], d["page_count"]) for d in decks) == [("Notes", 2), ("Week 1", 1)]

    failed(
        await call(http, server, "insertDocument", {"meetingID": params["meetingID"]}),
        "missingParameter",
    )
    async with http.post(
        signed(server, "insertDocument", {"meetingID": "no-such-meeting"}),
        data=inserted,
        headers={"Content-Type": "application/xml"},
    ) as response:
        failed(await xml(response), "notFound")
