"""Lecture scheduling, lifecycle and joining over REST."""

from __future__ import annotations

import aiohttp

from tests.conftest import Server, bearer
from tests.room_client import demo_course_id, join, live_lecture


async def test_schedule_list_start_and_end(http: aiohttp.ClientSession, server: Server) -> None:
    educator = await bearer(http, server, "educator")
    course = await demo_course_id(http, server)
    url = server.url(f"/api/v1/courses/{course}/lectures")
    body = {
        "title": "Open learning habits",
        "scheduled_start": "2026-12-01T18:00:00+02:00",
        "duration_minutes": 90,
    }
    async with http.post(url, json=body, headers=educator) as response:
        assert response.status == 201
        lecture = await response.json()
    assert lecture["status"] == "scheduled" and lecture["scheduled_start"].startswith(
        "2026-12-01T16:00:00"
    )

    student = await bearer(http, server, "student1")
    async with http.get(url + "?limit=200", headers=student) as response:
        assert lecture["id"] in [x["id"] for x in (await response.json())["items"]]
    async with http.post(url, json=body, headers=student) as response:
        assert response.status == 403
    lecture_url = server.url(f"/api/v1/lectures/{lecture['id']}")
    async with http.post(lecture_url + "/start", headers=student) as response:
        assert response.status == 403
    async with http.post(lecture_url + "/start", headers=educator) as response:
        assert (await response.json())["status"] == "live"

    alice = await join(http, server, lecture["id"], "student1")
    async with http.post(lecture_url + "/end", headers=educator) as response:
        ended = await response.json()
        assert ended["status"] == "ended" and ended["recording"] is None  # nothing recorded
    await alice.next("lecture:ended")
    async with http.post(lecture_url + "/start", headers=educator) as response:
        assert response.status == 409 and (await response.json())["code"] == "lecture_ended"
    await alice.leave()


async def test_bad_lecture_input(http: aiohttp.ClientSession, server: Server) -> None:
    educator = await bearer(http, server, "educator")
    course = await demo_course_id(http, server)
    url = server.url(f"/api/v1/courses/{course}/lectures")
    for body in (
        {"title": "x", "scheduled_start": "2026-12-01T18:00:00"},
        {"title": "", "scheduled_start": "2026-12-01T18:00:00Z"},
        {"title": "x", "scheduled_start": "tomorrow"},
        {"title": "x", "scheduled_start": "2026-12-01T18:00:00Z", "duration_minutes": 1},
    ):
        async with http.post(url, json=body, headers=educator) as response:
            assert response.status == 422, body
    async with http.post(
        server.url("/api/v1/courses/999999/lectures"),
        headers=educator,
        json={"title": "x", "scheduled_start": "2026-12-01T18:00:00Z"},
    ) as r:
        assert r.status == 404
    for path in ("/api/v1/lectures/999999", "/api/v1/lectures/999999/join"):
        method = http.post if path.endswith("join") else http.get
        async with method(server.url(path), headers=educator) as response:
            assert response.status == 404


async def test_outsiders_cannot_join(http: aiohttp.ClientSession, server: Server) -> None:
    lecture = await live_lecture(http, server)
    admin = await bearer(http, server, "admin", "admin-password-1")
    async with http.post(
        server.url("/api/v1/users"),
        headers=admin,
        json={"username": "outsider", "password": "outsider-pass", "role": "student"},
    ) as response:
        assert response.status in (201, 409)
    outsider = await bearer(http, server, "outsider", "outsider-pass")
    async with http.post(
        server.url(f"/api/v1/lectures/{lecture}/join"), headers=outsider
    ) as response:
        assert response.status == 403


async def test_live_lectures_of_my_courses(http: aiohttp.ClientSession, server: Server) -> None:
    lecture = await live_lecture(http, server)
    scheduled = await live_lecture(http, server, start=False)
    student = await bearer(http, server, "student1")
    async with http.get(server.url("/api/v1/me/live-lectures"), headers=student) as response:
        assert response.status == 200
        live = (await response.json())["items"]
    ids = [item["id"] for item in live]
    assert lecture in ids and scheduled not in ids
    assert all(item["status"] == "live" for item in live)
    mine = next(item for item in live if item["id"] == lecture)
    assert mine["course_code"] and mine["course_title"] and mine["title"] == "Week 1"
    admin = await bearer(http, server, "admin", "admin-password-1")
    async with http.post(
        server.url("/api/v1/users"),
        headers=admin,
        json={"username": "outsider", "password": "outsider-pass", "role": "student"},
    ) as response:
        assert response.status in (201, 409)
    outsider = await bearer(http, server, "outsider", "outsider-pass")
    async with http.get(server.url("/api/v1/me/live-lectures"), headers=outsider) as response:
        assert lecture not in [item["id"] for item in (await response.json())["items"]]
    educator = await bearer(http, server, "educator")
    async with http.post(server.url(f"/api/v1/lectures/{lecture}/end"), headers=educator) as r:
        assert r.status == 200
    async with http.get(server.url("/api/v1/me/live-lectures"), headers=student) as response:
        assert lecture not in [item["id"] for item in (await response.json())["items"]]


async def test_a_scheduled_lecture_is_set_to_require_admission(
    http: aiohttp.ClientSession, server: Server
) -> None:
    lecture = await live_lecture(http, server, start=False)
    educator = await bearer(http, server, "educator")
    student = await bearer(http, server, "student1")
    url = server.url(f"/api/v1/lectures/{lecture}")
    async with http.get(url, headers=educator) as response:
        assert (await response.json())["requires_admission"] is False
    async with http.patch(url, json={"requires_admission": True}, headers=student) as response:
        assert response.status == 403
    async with http.patch(url, json={"requires_admission": "yes"}, headers=educator) as response:
        assert response.status == 422
    async with http.patch(url, json={"requires_admission": True}, headers=educator) as response:
        assert response.status == 200 and (await response.json())["requires_admission"] is True
    async with http.post(url + "/start", headers=educator) as response:
        assert response.status == 200
    async with http.patch(url, json={"requires_admission": False}, headers=educator) as response:
        assert response.status == 409 and (await response.json())["code"] == "lecture_started"
    async with http.get(url, headers=student) as response:
        assert (await response.json())["requires_admission"] is True
