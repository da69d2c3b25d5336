"""Slide decks over REST and into the room: upload, render, follow, and access rules."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp

from classroom_server.office_convert import soffice
from tests.conftest import Server, bearer, unless_missing
from tests.documents import make_odp, make_pdf
from tests.room_client import join, live_lecture
from tests.test_office_convert import pptx_of

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def upload_form(content: bytes, filename: str, field: str = "file") -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field(field, content, filename=filename, content_type="application/octet-stream")
    return form


async def upload(
    http: aiohttp.ClientSession,
    server: Server,
    lecture: int,
    content: bytes,
    filename: str,
    username: str = "educator",
) -> tuple[int, dict[str, Any]]:
    headers = await bearer(http, server, username)
    async with http.post(
        server.url(f"/api/v1/lectures/{lecture}/decks"),
        data=upload_form(content, filename),
        headers=headers,
    ) as response:
        return response.status, await response.json()


async def test_pdf_upload_renders_pages_and_students_follow(
    http: aiohttp.ClientSession, server: Server
) -> None:
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    alice = await join(http, server, lecture, "student1")
    try:
        status, deck = await upload(
            http, server, lecture, make_pdf(["Welcome", "Agenda", "Summary"]), "../../etc/week1.pdf"
        )
        assert status == 202 and deck["status"] == "processing" and deck["title"] == "week1"
        progress = []
        while True:
            update = await educator.next("slides:deck")
            progress.append(update["progress"])
            if update["status"] != "processing":
                break
        assert update["status"] == "ready" and update["page_count"] == 3, update
        assert progress == sorted(progress) and progress[-1] == 100
        assert (await alice.next("slides:deck"))["status"] == "ready"

        assert (await educator.call("slides:show", {"deck_id": deck["id"], "page": 2}))["ok"]
        assert (await alice.next("slides:page"))["page"] == 2
        student = await bearer(http, server, "student1")
        async with http.get(
            server.url(f"/api/v1/decks/{deck['id']}/pages/2"), headers=student
        ) as response:
            assert response.status == 200 and response.content_type == "image/png"
            assert (await response.read()).startswith(PNG_MAGIC)
        async with http.get(
            server.url(f"/api/v1/decks/{deck['id']}/pages/4"), headers=student
        ) as response:
            assert response.status == 404
        async with http.get(
            server.url(f"/api/v1/lectures/{lecture}/decks"), headers=student
        ) as response:
            kinds = [d["kind"] for d in (await response.json())["items"]]
        assert kinds == ["whiteboard", "pdf"]
    finally:
        await educator.leave()
        await alice.leave()


async def test_upload_refusals(http: aiohttp.ClientSession, server: Server) -> None:
    lecture = await live_lecture(http, server)
    status, problem = await upload(http, server, lecture, make_pdf(["x"]), "a.pdf", "student1")
    assert status == 403 and problem["code"] == "forbidden"
    status, problem = await upload(http, server, lecture, b"MZ\x90\x00 not a deck", "evil.exe")
    assert status == 415 and problem["code"] == "unsupported_media_type"
    headers = await bearer(http, server, "educator")
    async with http.post(
        server.url(f"/api/v1/lectures/{lecture}/decks"),
        headers=headers,
        data=upload_form(b"%PDF-1.4", "a.pdf", field="other"),
    ) as response:
        assert response.status == 422
    async with http.post(
        server.url(f"/api/v1/lectures/{lecture}/decks"), headers=headers, json={"file": "x"}
    ) as response:
        assert response.status == 415


async def test_a_deck_over_100_mb_is_refused_and_leaves_nothing(
    http: aiohttp.ClientSession, server: Server
) -> None:
    lecture = await live_lecture(http, server)
    headers = await bearer(http, server, "educator")
    slides = Path(server.data_flags[1]) / "slides"
    before = {p.name for p in slides.iterdir()} if slides.exists() else set()
    url = server.url(f"/api/v1/lectures/{lecture}/decks")
    async with http.get(url, headers=headers) as response:
        decks = (await response.json())["items"]  # the whiteboard
    megabyte = b"\0" * 2**20

    async def body() -> AsyncIterator[bytes]:
        yield b"%PDF-1.4\n"
        for _ in range(100):
            yield megabyte  # 100 MiB after the header: one chunk over the limit

    form = aiohttp.FormData()
    form.add_field("file", body(), filename="huge.pdf", content_type="application/pdf")
    async with http.post(url, data=form, headers=headers) as response:
        assert response.status == 413
        assert (await response.json())["code"] == "payload_too_large"
    async with http.get(url, headers=headers) as response:
        assert (await response.json())["items"] == decks
    left = {p.name for p in slides.iterdir()} - before if slides.exists() else set()
    assert not [name for name in left if any((slides / name).iterdir())]


async def test_broken_pdf_fails_cleanly(http: aiohttp.ClientSession, server: Server) -> None:
    lecture = await live_lecture(http, server)
    status, deck = await upload(http, server, lecture, b"%PDF-1.4\n garbage " * 100, "bad.pdf")
    assert status == 202
    headers = await bearer(http, server, "educator")
    for _ in range(100):
        async with http.get(
            server.url(f"/api/v1/lectures/{lecture}/decks"), headers=headers
        ) as response:
            mine = next(d for d in (await response.json())["items"] if d["id"] == deck["id"])
        if mine["status"] != "processing":
            break
        await asyncio.sleep(0.1)
    assert mine["status"] == "failed" and "invalid_document" in mine["error"]


async def test_deck_list_is_a_page_with_a_total(
    http: aiohttp.ClientSession, server: Server
) -> None:
    lecture = await live_lecture(http, server)
    uploaded = [
        (await upload(http, server, lecture, make_pdf([f"Deck {n}"]), f"d{n}.pdf"))[1]["id"]
        for n in range(3)
    ]
    headers = await bearer(http, server, "educator")
    url = server.url(f"/api/v1/lectures/{lecture}/decks")

    async def listing(**params: int) -> dict[str, Any]:
        async with http.get(url, params=params, headers=headers) as response:
            assert response.status == 200, await response.text()
            body: dict[str, Any] = await response.json()
        return body

    everything = await listing(limit=200)
    ids = [d["id"] for d in everything["items"]]
    assert ids[-3:] == uploaded and everything["total"] == len(ids)
    assert (everything["limit"], everything["offset"]) == (200, 0)
    page = await listing(limit=2, offset=everything["total"] - 2)
    assert [d["id"] for d in page["items"]] == uploaded[1:] and page["total"] == len(ids)
    assert (await listing())["limit"] == 50
    async with http.get(url, params={"limit": 0}, headers=headers) as response:
        assert response.status == 422


@unless_missing(None if soffice() else "LibreOffice (soffice) is not installed")
async def test_a_powerpoint_deck_is_converted_and_shown(
    http: aiohttp.ClientSession, server: Server, tmp_path: Path
) -> None:
    odp = tmp_path / "week2.odp"
    odp.write_bytes(make_odp(["Momentum", "Impulse"]))
    pptx = pptx_of(odp).read_bytes()
    lecture = await live_lecture(http, server)
    educator = await join(http, server, lecture, "educator")
    try:
        status, deck = await upload(http, server, lecture, pptx, "week2.pptx")
        assert status == 202 and deck["kind"] == "office" and deck["title"] == "week2"
        while (update := await educator.next("slides:deck"))["status"] == "processing":
            pass
        assert update["status"] == "ready" and update["page_count"] == 2, update
        assert (await educator.call("slides:show", {"deck_id": deck["id"], "page": 2}))["ok"]
        student = await bearer(http, server, "student1")
        async with http.get(
            server.url(f"/api/v1/decks/{deck['id']}/pages/2"), headers=student
        ) as response:
            assert response.status == 200 and (await response.read()).startswith(PNG_MAGIC)
    finally:
        await educator.leave()
