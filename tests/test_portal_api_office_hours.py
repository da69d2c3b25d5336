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
    assert seen["educator_name"] == "Dr. Amal Haddad"  # whom the slots are with
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
        server.url("/api/v1/bookings?limit=200"), headers=await bearer(http, server, "educator")
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
        booking = await response.json()
    assert (booking["student_name"], booking["educator_name"]) == ("Lina Saleh", "Dr. Amal Haddad")
    # Each party's event is titled with the other one, and links back absolutely.
    for username, other in (("student1", "Dr. Amal Haddad"), ("educator", "Lina Saleh")):
        async with http.get(
            server.url("/api/v1/me/calendar"), headers=await bearer(http, server, username)
        ) as response:
            feed_url = (await response.json())["url"]
        assert feed_url.startswith(server.base_url + "/api/v1/calendar/")
        async with aiohttp.ClientSession() as calendar_app:  # no login: the URL is the secret
            async with calendar_app.get(feed_url) as response:
                assert response.status == 200 and response.content_type == "text/calendar"
                ics = await response.text()
        assert ics.startswith("BEGIN:VCALENDAR"), username
        assert f"SUMMARY:Office hour with {other}" in ics, username
        assert f"URL:{server.base_url}/lectures/{booking['join_url'].rsplit('/', 1)[1]}" in ics
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


async def test_simultaneous_admits_take_different_people_from_the_head(
    http: aiohttp.ClientSession, server: Server
) -> None:
    educator = await bearer(http, server, "educator")
    async with http.post(
        server.url("/api/v1/drop-ins"),
        headers=educator,
        json={"course_id": await demo_course_id(http, server)},
    ) as response:
        base = server.url(f"/api/v1/drop-ins/{(await response.json())['id']}")
    racers = await enrol_many(http, server, 8)
    for name in racers:  # one after another: arrival order is the list's order
        headers = await bearer(http, server, name, "racer-password")
        async with http.post(base + "/queue", headers=headers) as response:
            assert response.status in (200, 201)

    async def admit() -> str:
        async with http.post(base + "/admit", headers=educator) as response:
            assert response.status == 200, await response.text()
            return str((await response.json())["join_url"])

    rooms = await asyncio.gather(*(admit() for _ in range(6)))
    assert len(set(rooms)) == 6
    async with http.get(base, headers=educator) as response:
        body = await response.json()
    assert body["queue_total"] == 2
    assert [w["name"] for w in body["queue"]] == racers[6:]


async def get_page(
    http: aiohttp.ClientSession, url: str, headers: dict[str, str], **params: Any
) -> dict[str, Any]:
    async with http.get(url, params=params, headers=headers) as response:
        assert response.status == 200, await response.text()
        body: dict[str, Any] = await response.json()
    assert (body["limit"], body["offset"]) == (params.get("limit", 50), params.get("offset", 0))
    return body


async def test_slots_bookings_and_hosts_are_pages_with_a_total(
    http: aiohttp.ClientSession, server: Server
) -> None:
    await publish(http, server, slot_minutes=30, cutoff_minutes=0)
    course = await demo_course_id(http, server)
    [name] = await enrol_many(http, server, 1)
    student = await bearer(http, server, name, "racer-password")
    start = (datetime.now(UTC) + timedelta(days=20)).replace(hour=0, minute=0, microsecond=0)
    window = {"start": start.isoformat(), "end": (start + timedelta(days=3)).isoformat()}
    slots_url = server.url(f"/api/v1/educators/{await educator_id(http, server)}/slots")
    first = await get_page(http, slots_url, student, **window)
    assert len(first["items"]) == 50 and first["total"] > 120, first["total"]
    middle = await get_page(http, slots_url, student, **window, limit=5, offset=45)
    assert middle["items"] == first["items"][45:50] and middle["total"] == first["total"]
    end = await get_page(http, slots_url, student, **window, limit=5, offset=first["total"] - 2)
    assert len(end["items"]) == 2
    async with http.get(slots_url, params={**window, "limit": 201}, headers=student) as r:
        assert r.status == 422

    booked = []
    for slot in first["items"][0:6:2]:
        async with http.post(
            server.url("/api/v1/bookings"),
            headers=student,
            json={"educator_id": await educator_id(http, server), "starts_at": slot["starts_at"]},
        ) as response:
            assert response.status == 201, await response.text()
            booked.append((await response.json())["id"])
    bookings = server.url("/api/v1/bookings")
    head = await get_page(http, bookings, student, limit=2)
    assert [b["id"] for b in head["items"]] == booked[:2] and head["total"] == 3
    tail = await get_page(http, bookings, student, limit=2, offset=2)
    assert [b["id"] for b in tail["items"]] == booked[2:] and tail["total"] == 3
    ours = await get_page(http, bookings, student, course_id=course, upcoming="true")
    assert [b["id"] for b in ours["items"]] == booked and ours["total"] == 3
    none = await get_page(http, bookings, student, course_id=2**31 - 1)
    assert none == {"items": [], "total": 0, "limit": 50, "offset": 0}

    hosts_url = server.url(f"/api/v1/courses/{course}/office-hours")
    hosts = await get_page(http, hosts_url, student, limit=1)
    assert len(hosts["items"]) == 1 and hosts["total"] >= 1
    past = await get_page(http, hosts_url, student, limit=1, offset=hosts["total"])
    assert past["items"] == [] and past["total"] == hosts["total"]


async def test_drop_in_lists_and_queue_are_pages(
    http: aiohttp.ClientSession, server: Server
) -> None:
    educator = await bearer(http, server, "educator")
    course = await demo_course_id(http, server)
    async with http.post(
        server.url("/api/v1/drop-ins"), headers=educator, json={"course_id": course}
    ) as response:
        drop_in = await response.json()
    base = server.url(f"/api/v1/drop-ins/{drop_in['id']}")
    names = await enrol_many(http, server, 3)
    for name in names:
        async with http.post(
            base + "/queue", headers=await bearer(http, server, name, "racer-password")
        ) as response:
            assert response.status == 200
    async with http.get(base, params={"limit": 2, "offset": 1}, headers=educator) as response:
        body = await response.json()
    assert [w["place"] for w in body["queue"]] == [2, 3] and body["queue_total"] == 3
    async with http.get(base, headers=educator) as response:
        assert [w["place"] for w in (await response.json())["queue"]] == [1, 2, 3]

    listing = server.url(f"/api/v1/courses/{course}/drop-ins")
    everything = await get_page(http, listing, educator, limit=200)
    assert drop_in["id"] in [d["id"] for d in everything["items"]]
    assert everything["total"] == len(everything["items"])
    one = await get_page(http, listing, educator, limit=1, offset=everything["total"] - 1)
    assert one["items"] == everything["items"][-1:]
    async with http.post(base + "/close", headers=educator) as response:
        assert response.status == 200
    after = await get_page(http, listing, educator, limit=200)
    assert after["total"] == everything["total"] - 1


async def test_admins_act_on_anyones_bookings_and_queues(
    http: aiohttp.ClientSession, server: Server
) -> None:
    await publish(http, server, slot_minutes=30, cutoff_minutes=0)
    admin = await bearer(http, server, *ADMIN)
    [name, other] = await enrol_many(http, server, 2)
    student = await bearer(http, server, name, "racer-password")
    start = (datetime.now(UTC) + timedelta(days=30)).replace(hour=0, minute=0, microsecond=0)
    window = {"start": start.isoformat(), "end": (start + timedelta(days=1)).isoformat()}
    educator = await educator_id(http, server)
    free = (
        await get_page(http, server.url(f"/api/v1/educators/{educator}/slots"), student, **window)
    )["items"]
    made = []
    for slot in free[:2]:
        async with http.post(
            server.url("/api/v1/bookings"),
            headers=student,
            json={"educator_id": educator, "starts_at": slot["starts_at"]},
        ) as response:
            made.append(await response.json())
    moved_to = free[5]["starts_at"]
    async with http.post(
        server.url(f"/api/v1/bookings/{made[0]['id']}/reschedule"),
        headers=admin,
        json={"starts_at": moved_to},
    ) as response:
        assert response.status == 201, await response.text()
        moved = await response.json()
    assert moved["student_id"] == made[0]["student_id"]
    assert datetime.fromisoformat(moved["starts_at"]) == datetime.fromisoformat(moved_to)
    async with http.post(
        server.url(f"/api/v1/bookings/{made[1]['id']}/cancel"),
        headers=await bearer(http, server, other, "racer-password"),
    ) as response:
        assert response.status == 404, "students still act only on their own"
    async with http.post(
        server.url(f"/api/v1/bookings/{made[1]['id']}/cancel"), headers=admin
    ) as response:
        assert response.status == 200 and (await response.json())["status"] == "cancelled"
    mine = await get_page(http, server.url("/api/v1/bookings"), student, limit=200)
    status = {b["id"]: b["status"] for b in mine["items"]}
    assert status == {made[0]["id"]: "cancelled", made[1]["id"]: "cancelled", moved["id"]: "booked"}
    everyone = await get_page(
        http, server.url("/api/v1/bookings"), admin, everyone="true", limit=200
    )
    assert {made[0]["id"], made[1]["id"], moved["id"]} <= {b["id"] for b in everyone["items"]}
    assert (await get_page(http, server.url("/api/v1/bookings"), admin))["items"] == []
    async with http.get(
        server.url("/api/v1/bookings"), headers=student, params={"everyone": "true"}
    ) as response:
        assert response.status == 403
        assert response.content_type == "application/problem+json"

    async with http.post(
        server.url("/api/v1/drop-ins"),
        headers=await bearer(http, server, "educator"),
        json={"course_id": await demo_course_id(http, server)},
    ) as response:
        base = server.url(f"/api/v1/drop-ins/{(await response.json())['id']}")
    async with http.post(base + "/queue", headers=student) as response:
        assert response.status == 200
    async with http.get(base, headers=admin) as response:
        assert [w["student_id"] for w in (await response.json())["queue"]] == [moved["student_id"]]
    async with http.post(base + "/admit", headers=admin) as response:
        assert (
            response.status == 200 and (await response.json())["student_id"] == moved["student_id"]
        )
    async with http.get(base + "/queue/me", headers=student) as response:
        assert (await response.json())["state"] == "admitted"
    async with http.post(base + "/close", headers=admin) as response:
        assert response.status == 200 and (await response.json())["open"] is False
