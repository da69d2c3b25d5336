"""Courses: who sees which, who may create and enrol, and the errors for everyone else."""

from __future__ import annotations

import secrets

import aiohttp

from tests.conftest import ADMIN, Server, bearer
from tests.room_client import demo_course_id

PROBLEM = "application/problem+json"


async def test_educator_and_students_see_the_demo_course(
    http: aiohttp.ClientSession, server: Server
) -> None:
    for username, role in (("educator", "educator"), ("student1", "student")):
        headers = await bearer(http, server, username)
        async with http.get(server.url("/api/v1/courses"), headers=headers) as response:
            assert response.status == 200
            page = await response.json()
        demo = [c for c in page["items"] if c["code"] == "OL101"]
        assert demo and demo[0]["title"] == "Introduction to Open Learning"
        assert demo[0]["my_role"] == role
        assert demo[0]["student_count"] >= 3  # the demo seeds 3; other tests enrol more


async def test_unknown_course_is_404(http: aiohttp.ClientSession, server: Server) -> None:
    headers = await bearer(http, server, "educator")
    for course_id in ("999999", "abc", "-1"):
        async with http.get(server.url(f"/api/v1/courses/{course_id}"), headers=headers) as resp:
            assert resp.status == 404, course_id
            assert resp.content_type == PROBLEM
            assert (await resp.json())["code"] == "not_found"


async def test_student_cannot_create_a_course(http: aiohttp.ClientSession, server: Server) -> None:
    headers = await bearer(http, server, "student1")
    body = {"code": "X1", "title": "Should not exist"}
    async with http.post(server.url("/api/v1/courses"), json=body, headers=headers) as response:
        assert response.status == 403
        assert response.content_type == PROBLEM
        assert (await response.json())["code"] == "forbidden"
    admin = await bearer(http, server, *ADMIN)
    async with http.get(server.url("/api/v1/courses?limit=200"), headers=admin) as response:
        assert all(c["code"] != "X1" for c in (await response.json())["items"])


async def test_course_creation_enrolment_and_visibility(
    http: aiohttp.ClientSession, server: Server
) -> None:
    educator = await bearer(http, server, "educator")
    code = f"C{secrets.token_hex(3)}"
    async with http.post(
        server.url("/api/v1/courses"),
        headers=educator,
        json={"code": code, "title": "Arabic Literature", "language": "ar"},
    ) as r:
        assert r.status == 201
        course = await r.json()
    assert course["my_role"] == "educator" and course["student_count"] == 0
    url = server.url(f"/api/v1/courses/{course['id']}")

    student = await bearer(http, server, "student2")
    async with http.get(url, headers=student) as response:
        assert response.status == 403
    async with http.post(url + "/enrolments", headers=student, json={"username": "student2"}) as r:
        assert r.status == 403

    async with http.post(url + "/enrolments", headers=educator, json={"username": "student2"}) as r:
        assert r.status == 201
    async with http.post(url + "/enrolments", headers=educator, json={"username": "student2"}) as r:
        assert r.status == 409
        assert (await r.json())["code"] == "conflict"
    async with http.post(url + "/enrolments", headers=educator, json={"username": "ghost"}) as r:
        assert r.status == 404
    async with http.get(url, headers=student) as response:
        assert response.status == 200
        assert (await response.json())["my_role"] == "student"

    async with http.post(
        server.url("/api/v1/courses"), headers=educator, json={"code": code, "title": "Duplicate"}
    ) as r:
        assert r.status == 409


async def test_listing_is_paginated_and_bounded(
    http: aiohttp.ClientSession, server: Server
) -> None:
    admin = await bearer(http, server, *ADMIN)
    async with http.get(server.url("/api/v1/courses?limit=1&offset=0"), headers=admin) as r:
        page = await r.json()
    assert len(page["items"]) == 1 and page["total"] >= 1 and page["limit"] == 1
    for query in ("limit=0", "limit=100000", "offset=-1", "limit=abc", "colour=red"):
        async with http.get(server.url(f"/api/v1/courses?{query}"), headers=admin) as r:
            assert r.status == 422, query
            assert (await r.json())["errors"][0]["location"][0] == "query"


async def test_edit_course_and_enrol_from_csv(http: aiohttp.ClientSession, server: Server) -> None:
    educator = await bearer(http, server, "educator")
    code = f"CSV{secrets.token_hex(2)}"
    async with http.post(
        server.url("/api/v1/courses"), headers=educator, json={"code": code, "title": "Statistics"}
    ) as response:
        course = await response.json()
    url = server.url(f"/api/v1/courses/{course['id']}")
    async with http.patch(
        url, headers=educator, json={"term": "2027 Spring", "language": "ar"}
    ) as response:
        assert (await response.json())["term"] == "2027 Spring"
    async with http.patch(
        url, headers=await bearer(http, server, "student1"), json={"title": "Mine"}
    ) as response:
        assert response.status == 403

    csv_body = "username,role\nstudent1\nstudent2,student\nghost\nstudent1\nstudent3,teacher\n"
    headers = {**educator, "Content-Type": "text/csv"}
    async with http.post(url + "/enrolments/csv", data=csv_body, headers=headers) as response:
        assert response.status == 200, await response.text()
        report = await response.json()
    assert report["enrolled"] == 2 and report["failed"] == 2
    assert [(r["row"], r["status"]) for r in report["rows"]] == [
        (2, "enrolled"),
        (3, "enrolled"),
        (4, "error"),
        (5, "already_enrolled"),
        (6, "error"),
    ]
    assert report["rows"][2]["message"] == "no such user"
    async with http.get(url, headers=educator) as response:
        assert (await response.json())["student_count"] == 2
    async with http.post(url + "/enrolments/csv", data="name\nx\n", headers=headers) as response:
        assert response.status == 422


async def test_repository_links(http: aiohttp.ClientSession, server: Server) -> None:
    educator = await bearer(http, server, "educator")
    course = await demo_course_id(http, server)
    url = server.url(f"/api/v1/courses/{course}/resources")
    paper = {
        "title": "Open learning in Palestine",
        "kind": "journal_article",
        "url": "https://dspace.qou.edu/handle/194/1234",
        "creator": "Haddad, A.",
        "date": "2024",
        "identifier": "hdl:194/1234",
        "licence": "CC BY 4.0",
        "language": "ar",
        "position": 1,
    }
    async with http.post(url, json=paper, headers=educator) as response:
        assert response.status == 201
        created = await response.json()
    for bad in (
        {**paper, "url": "javascript:alert(1)"},
        {**paper, "url": "ftp://x/y"},
        {**paper, "kind": "meme"},
        {**paper, "video_id": 1},
        {k: v for k, v in paper.items() if k != "url"},
    ):
        async with http.post(url, json=bad, headers=educator) as response:
            assert response.status == 422, bad
    student = await bearer(http, server, "student1")
    async with http.post(url, json=paper, headers=student) as response:
        assert response.status == 403
    async with http.get(url, headers=student) as response:
        items = (await response.json())["items"]
    assert any(i["id"] == created["id"] and i["identifier"] == "hdl:194/1234" for i in items)
    second = {**paper, "title": "Second", "position": 2}
    async with http.post(url, json=second, headers=educator) as response:
        assert response.status == 201
    async with http.get(url + "?limit=200", headers=student) as response:
        everything = await response.json()
    async with http.get(url + "?limit=1&offset=1", headers=student) as response:
        page = await response.json()
    assert page["limit"] == 1 and page["offset"] == 1
    assert page["total"] == everything["total"] == len(everything["items"]) >= 2
    assert page["items"] == everything["items"][1:2]
    async with http.get(url + "?limit=0", headers=student) as response:
        assert response.status == 422
    async with http.delete(
        server.url(f"/api/v1/resources/{created['id']}"), headers=educator
    ) as response:
        assert response.status == 204
