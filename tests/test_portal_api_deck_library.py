"""A course's presentation library over the real server: upload, list, show in any of the
course's lectures, share publicly, offer the file for download, remove; and who may."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp

from tests.conftest import Server, bearer
from tests.documents import make_pdf
from tests.module_builder import new_course, other_educator
from tests.room_client import demo_course_id, join, live_lecture
from tests.test_portal_api_decks import PNG_MAGIC, upload_form

API = "/api/v1"


async def add(
    http: aiohttp.ClientSession, server: Server, course_id: int, body: bytes, name: str, **auth: Any
) -> tuple[int, dict[str, Any]]:
    headers = auth.get("headers") or await bearer(http, server, "educator")
    async with http.post(
        server.url(f"{API}/courses/{course_id}/decks"),
        data=upload_form(body, name),
        headers=headers,
    ) as response:
        return response.status, await response.json()


async def until_ready(http: aiohttp.ClientSession, server: Server, deck_id: int) -> dict[str, Any]:
    headers = await bearer(http, server, "educator")
    for _ in range(300):
        async with http.get(server.url(f"{API}/decks/{deck_id}"), headers=headers) as response:
            deck: dict[str, Any] = await response.json()
        if deck["status"] != "processing":
            return deck
        await asyncio.sleep(0.1)
    raise AssertionError(f"deck {deck_id} still processing")


async def status_of(http: aiohttp.ClientSession, url: str, headers: dict[str, str]) -> int:
    async with http.get(url, headers=headers) as response:
        await response.read()
        return response.status


async def test_a_library_deck_is_shown_in_any_lecture_of_its_course(
    http: aiohttp.ClientSession, server: Server
) -> None:
    course = await demo_course_id(http, server)
    pdf = make_pdf(["Units", "Vectors"])
    status, deck = await add(http, server, course, pdf, "Physics toolkit.pdf")
    assert status == 202 and deck["course_id"] == course and deck["public"] is False
    deck = await until_ready(http, server, deck["id"])
    assert deck["status"] == "ready" and deck["page_count"] == 2

    student = await bearer(http, server, "student1")
    async with http.get(
        server.url(f"{API}/courses/{course}/decks?limit=200"), headers=student
    ) as r:
        listed = (await r.json())["items"]
    mine = next(d for d in listed if d["id"] == deck["id"])
    assert mine["download_url"] is None, "not offered for download yet"
    status, problem = await add(http, server, course, pdf, "x.pdf", headers=student)
    assert status == 403 and problem["code"] == "forbidden"

    for _ in range(2):  # two lectures of the course: the same deck in each
        lecture = await live_lecture(http, server)
        educator = await join(http, server, lecture, "educator")
        alice = await join(http, server, lecture, "student1")
        try:
            assert deck["id"] in [d["id"] for d in alice.state["decks"]]
            shown = await educator.call("slides:show", {"deck_id": deck["id"], "page": 2})
            assert shown["ok"], shown
            assert (await alice.next("slides:page"))["deck_id"] == deck["id"]
        finally:
            await educator.leave()
            await alice.leave()
    page = server.url(f"{API}/decks/{deck['id']}/pages/2")
    async with http.get(page, headers=student) as response:
        assert response.status == 200 and (await response.read()).startswith(PNG_MAGIC)


async def test_another_courses_lecture_cannot_show_it(
    http: aiohttp.ClientSession, server: Server
) -> None:
    course = await new_course(http, server)
    _, deck = await add(http, server, course.id, make_pdf(["Mine"]), "mine.pdf")
    await until_ready(http, server, deck["id"])
    lecture = await live_lecture(http, server)  # in the demo course
    educator = await join(http, server, lecture, "educator")
    try:
        assert deck["id"] not in [d["id"] for d in educator.state["decks"]]
        refused = await educator.call("slides:show", {"deck_id": deck["id"], "page": 1})
        assert refused["error"]["code"] == "not_found"
    finally:
        await educator.leave()
    stranger = await other_educator(http, server)
    url = server.url(f"{API}/decks/{deck['id']}/pages/1")
    assert await status_of(http, url, stranger) == 403


async def test_sharing_downloading_and_removing(
    http: aiohttp.ClientSession, server: Server
) -> None:
    course = await demo_course_id(http, server)
    pdf = make_pdf(["Open slides"])
    _, deck = await add(http, server, course, pdf, "Open slides.pdf")
    await until_ready(http, server, deck["id"])
    educator = await bearer(http, server, "educator")
    student = await bearer(http, server, "student1")
    deck_url = server.url(f"{API}/decks/{deck['id']}")
    async with aiohttp.ClientSession() as anyone:  # never logged in
        assert await status_of(anyone, deck_url, {}) == 401
        assert await status_of(anyone, deck_url + "/pages/1", {}) == 401
        async with http.patch(deck_url, json={"public": True}, headers=student) as response:
            assert response.status == 403
        async with http.patch(deck_url, json={"public": True}, headers=educator) as response:
            shared = await response.json()
        assert shared["share_url"] == f"/decks/{deck['id']}"
        assert await status_of(anyone, deck_url, {}) == 200
        assert await status_of(anyone, deck_url + "/pages/1", {}) == 200
        original = deck_url + "/original"
        assert await status_of(anyone, original, {}) == 403
        assert await status_of(http, original, student) == 403
        async with http.get(original, headers=educator) as response:
            assert response.status == 200 and await response.read() == pdf
            assert 'filename="Open slides.pdf"' in response.headers["Content-Disposition"]
        async with http.patch(deck_url, json={"downloadable": True}, headers=educator) as response:
            assert (await response.json())["download_url"] == f"/api/v1/decks/{deck['id']}/original"
        async with anyone.get(original) as response:
            assert response.status == 200 and await response.read() == pdf
        async with http.patch(deck_url, json={"title": ""}, headers=educator) as response:
            assert response.status == 422

    async with http.delete(deck_url, headers=student) as response:
        assert response.status == 403
    async with http.delete(deck_url, headers=educator) as response:
        assert response.status == 204
    assert await status_of(http, deck_url, educator) == 404
    lecture = await live_lecture(http, server)
    someone = await join(http, server, lecture, "educator")
    try:
        whiteboard = next(d["id"] for d in someone.state["decks"] if d["kind"] == "whiteboard")
    finally:
        await someone.leave()
    async with http.delete(server.url(f"{API}/decks/{whiteboard}"), headers=educator) as response:
        assert response.status == 409, "a lecture's own decks are not the library's"
