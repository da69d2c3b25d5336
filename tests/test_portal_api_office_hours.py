"""Office hours over HTTP: availability, slots in the student's zone, booking races, meetings."""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp

from tests.conftest import ADMIN, Server, bearer
from tests.room_client import demo_course_id

EVERY_DAY = [{"weekday": d, "start": "00:00", "end": "24:00"} for d in range(7)]


async def publish(http: aiohttp.ClientSession, server: Server, **overrides: Any) -> None:
    body = {
        "course_id": await demo_course_id(http, server),
        "time_zone": "Asia/Hebron",
        "slot_minutes": 30,
        "cutoff_minutes": 60,
        "windows": EVERY_DAY,
        **overrides,
    }
    async with http.put(
        server.url("/api/v1/office-hours"),
        json=body,
        headers=await bearer(http, server, "educator"),
    ) as response:
        assert response.status == 200, await response.text()


async def educator_id(http: aiohttp.ClientSession, server: Server) -> int:
    async with http.get(
        server.url("/api/v1/me"), headers=await bearer(http, server, "educator")
    ) as response:
        return int((await response.json())["id"])


async def slots(
    http: aiohttp.ClientSession, server: Server, username: str, days: int = 3
) -> dict[str, Any]:
    start = datetime.now(UTC)
    query = {"start": start.isoformat(), "end": (start + timedelta(days=days)).isoformat()}
    url = server.url(f"/api/v1/educators/{await educator_id(http, server)}/slots")
    async with http.get(url, params=query, headers=await bearer(http, server, username)) as r:
        assert r.status == 200, await r.text()
        body: dict[str, Any] = await r.json()
    return body


async def test_slots_are_shown_in_the_students_zone(
    http: aiohttp.ClientSession, server: Server
) -> None:
    await publish(
        http, server, windows=[{"weekday": d, "start": "09:00", "end": "11:00"} for d in range(7)]
    )
    seen = await slots(http, server, "student2")  # America/Chicago in the demo
    assert seen["time_zone"] == "America/Chicago" and len(seen["items"]) >= 8
    first = seen["items"][0]
    local = datetime.fromisoformat(first["local_start"])
    assert local == datetime.fromisoformat(first["starts_at"])
    assert local.utcoffset() in (timedelta(hours=-6), timedelta(hours=-5))
    for bad in (
        {"windows": [{"weekday": 7, "start": "09:00", "end": "10:00"}]},
        {"windows": [{"weekday": 1, "start": "10:00", "end": "09:00"}]},
        {"time_zone": "Moon/Base"},
        {"slot_minutes": 1},
    ):
        async with http.put(
            server.url("/api/v1/office-hours"),
            headers=await bearer(http, server, "educator"),
            json={"course_id": 1, "time_zone": "UTC", "windows": [], **bad},
        ) as r:
            assert r.status == 422, bad
    async with http.put(
        server.url("/api/v1/office-hours"),
        headers=await bearer(http, server, "student1"),
        json={"course_id": 1, "time_zone": "UTC", "windows": []},
    ) as response:
        assert response.status == 403


async def enrol_many(http: aiohttp.ClientSession, server: Server, count: int) -> list[str]:
    admin = await bearer(http, server, *ADMIN)
    educator = await bearer(http, server, "educator")
    course = await demo_course_id(http, server)
    names = [f"racer{secrets.token_hex(3)}{i}" for i in range(count)]

    async def create(name: str) -> None:
        async with http.post(
            server.url("/api/v1/users"),
            headers=admin,
            json={"username": name, "password": "racer-password"},
        ) as r:
            assert r.status == 201
        async with http.post(
            server.url(f"/api/v1/courses/{course}/enrolments"),
            headers=educator,
            json={"username": name},
        ) as r:
            assert r.status == 201

    await asyncio.gather(*(create(n) for n in names))
    return names


async def test_fifty_students_race_for_one_slot_and_one_wins(
    http: aiohttp.ClientSession, server: Server
) -> None:
    await publish(http, server)
    racers = await enrol_many(http, server, 50)
    tokens = await asyncio.gather(*(bearer(http, server, n, "racer-password") for n in racers))
    target = (await slots(http, server, "student1"))["items"][5]["starts_at"]
    body = {"educator_id": await educator_id(http, server), "starts_at": target}

    async def attempt(headers: dict[str, str]) -> tuple[int, str]:
        async with http.post(server.url("/api/v1/bookings"), json=body, headers=headers) as r:
            return r.status, (await r.json()).get("code", "")

    results = await asyncio.gather(*(attempt(h) for h in tokens))
    assert [s for s, _ in results].count(201) == 1, results
    assert {code for status, code in results if status != 201} <= {"slot_taken", "slot_unavailable"}
    remaining = [s["starts_at"] for s in (await slots(http, server, "student1"))["items"]]
    assert target not in remaining


async def test_cancel_reschedule_and_the_meeting_room(
    http: aiohttp.ClientSession, server: Server
) -> None:
    await publish(http, server, slot_minutes=5, cutoff_minutes=0)
    student = await bearer(http, server, "student3")
    items = (await slots(http, server, "student3"))["items"]
    educator = await educator_id(http, server)
    async with http.post(
        server.url("/api/v1/bookings"),
        headers=student,
        json={"educator_id": educator, "starts_at": items[0]["starts_at"]},
    ) as r:
        assert r.status == 201
        soon = await r.json()
    # The first slot starts within 5 minutes: its room is open to both parties, and only them.
    for username, expected in (("student3", 200), ("educator", 200), ("student1", 403)):
        async with http.post(
            server.url(soon["join_url"].replace("/lectures", "/api/v1/lectures") + "/join"),
            headers=await bearer(http, server, username),
        ) as response:
            assert response.status == expected, username

    later = items[-1]["starts_at"]
    async with http.post(
        server.url(f"/api/v1/bookings/{soon['id']}/reschedule"),
        headers=student,
        json={"starts_at": later},
    ) as response:
        assert response.status == 201
        moved = await response.json()
    async with http.post(
        server.url(moved["join_url"].replace("/lectures", "/api/v1/lectures") + "/join"),
        headers=student,
    ) as response:
        assert response.status == 409 and (await response.json())["code"] == "not_started"
    async with http.get(
        server.url("/api/v1/bookings"), headers=await bearer(http, server, "educator")
    ) as response:
        mine = {b["id"]: b["status"] for b in (await response.json())["items"]}
    assert mine[soon["id"]] == "cancelled" and mine[moved["id"]] == "booked"

    await publish(http, server, slot_minutes=5, cutoff_minutes=7 * 24 * 60)
    async with http.post(
        server.url(f"/api/v1/bookings/{moved['id']}/cancel"), headers=student
    ) as response:
        assert response.status == 409 and (await response.json())["code"] == "too_late"
    await publish(http, server, slot_minutes=5, cutoff_minutes=0)
    async with http.post(
        server.url(f"/api/v1/bookings/{moved['id']}/cancel"), headers=student
    ) as response:
        assert response.status == 200 and (await response.json())["status"] == "cancelled"
    async with http.post(
        server.url(f"/api/v1/bookings/{moved['id']}/cancel"),
        headers=await bearer(http, server, "student1"),
    ) as response:
        assert response.status == 404


async def test_calendar_feed_lists_lectures_and_bookings(
    http: aiohttp.ClientSession, server: Server
) -> None:
    await publish(http, server, slot_minutes=30, cutoff_minutes=0)
    student = await bearer(http, server, "student1")
    slot = (await slots(http, server, "student1"))["items"][3]["starts_at"]
    async with http.post(
        server.url("/api/v1/bookings"),
        headers=student,
        json={"educator_id": await educator_id(http, server), "starts_at": slot},
    ) as response:
        assert response.status == 201
    for username in ("student1", "educator"):
        async with http.get(
            server.url("/api/v1/me/calendar"), headers=await bearer(http, server, username)
        ) as response:
            feed_url = (await response.json())["url"]
        async with aiohttp.ClientSession() as calendar_app:  # no login: the URL is the secret
            async with calendar_app.get(server.url(feed_url)) as response:
                assert response.status == 200 and response.content_type == "text/calendar"
                ics = await response.text()
        assert ics.startswith("BEGIN:VCALENDAR") and "Office hour: Lina Saleh" in ics, username
        start = datetime.fromisoformat(slot).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        assert f"DTSTART:{start}" in ics
    async with http.get(server.url("/api/v1/calendar/forged.ics")) as response:
        assert response.status == 404


async def test_drop_in_queue_admits_in_arrival_order(
    http: aiohttp.ClientSession, server: Server
) -> None:
    educator = await bearer(http, server, "educator")
    course = await demo_course_id(http, server)
    async with http.post(
        server.url("/api/v1/drop-ins"), headers=educator, json={"course_id": course}
    ) as response:
        assert response.status == 201
        drop_in = await response.json()
    base = server.url(f"/api/v1/drop-ins/{drop_in['id']}")
    students = {name: await bearer(http, server, name) for name in ("student2", "student1")}
    places = []
    for headers in students.values():
        async with http.post(base + "/queue", headers=headers) as response:
            places.append((await response.json())["place"])
    async with http.post(base + "/queue", headers=students["student2"]) as response:
        assert (await response.json())["place"] == 1, "joining again keeps the place"
    assert places == [1, 2]
    async with http.get(base, headers=educator) as response:
        assert [w["name"] for w in (await response.json())["queue"]] == [
            "Omar Khalil",
            "Lina Saleh",
        ]
    async with http.get(base, headers=students["student1"]) as response:
        assert response.status == 403

    async with http.post(base + "/admit", headers=educator) as response:
        admitted = await response.json()
    async with http.get(base + "/queue/me", headers=students["student2"]) as response:
        mine = await response.json()
    assert mine["state"] == "admitted" and mine["join_url"] == admitted["join_url"]
    async with http.get(base + "/queue/me", headers=students["student1"]) as response:
        assert (await response.json())["place"] == 1
    join = server.url(admitted["join_url"].replace("/lectures", "/api/v1/lectures") + "/join")
    async with http.post(join, headers=students["student2"]) as response:
        assert response.status == 200
    async with http.post(join, headers=students["student1"]) as response:
        assert response.status == 403

    async with http.post(base + "/close", headers=educator) as response:
        assert (await response.json())["open"] is False
    async with http.get(base + "/queue/me", headers=students["student1"]) as response:
        assert (await response.json())["state"] == "left"
    async with http.post(base + "/admit", headers=educator) as response:
        assert response.status == 409
