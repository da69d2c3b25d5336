"""Authorization matrix: every id-scoped route, tried by every kind of caller.

Two courses are built through the API itself (the admin creates the accounts, each educator
creates a course and enrols students). Course A has a live lecture, a resource, a video, a slide
deck, office hours with a booking (and its private meeting lecture) and an open drop-in; the
actors are seen from course A. A forbidden write must answer 403 or 404 *and* leave every
observable piece of course A as it was.
"""

from __future__ import annotations

import asyncio
import io
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from PIL import Image

from portal_api import api_router
from tests.conftest import ADMIN, PASSWORD, Server, bearer

ACTORS = ("anon", "other_student", "classmate", "student", "other_educator", "educator", "admin")
MEMBERS = frozenset({"classmate", "student", "educator", "admin"})
STAFF = frozenset({"educator", "admin"})
PARTIES = frozenset({"student", "educator", "admin"})  # of the booking's private meeting
DENIED = (403, 404)

Body = Callable[["World", bool], dict[str, Any]]


@dataclass(frozen=True)
class Route:
    """``ok``: actors that succeed; every other signed-in actor is refused (403/404).

    ``passes``: a success may also be 409 (authorized, but the state says no, e.g. an empty
    queue); ``anon``: the status for a caller without credentials.
    """

    method: str
    path: str
    ok: frozenset[str]
    body: Body | None = None
    passes: bool = False
    anon: tuple[int, ...] = (401,)


def js(payload: Callable[[World], dict[str, Any]]) -> Body:
    return lambda w, _fresh: {"json": payload(w)}


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "white").save(out, "PNG")
    return out.getvalue()


def deck_form(w: World, fresh: bool) -> dict[str, Any]:
    form = aiohttp.FormData()
    form.add_field("file", png(), filename="slide.png", content_type="image/png")
    return {"data": form}


def csv_body(w: World, fresh: bool) -> dict[str, Any]:
    return {"data": f"username\n{w.spare(fresh)}\n", "headers": {"Content-Type": "text/csv"}}


def enrolment(w: World, fresh: bool) -> dict[str, Any]:
    return {"json": {"username": w.spare(fresh)}}


def lecture_body(w: World) -> dict[str, Any]:
    return {"title": "Extra", "scheduled_start": datetime.now(UTC).isoformat()}


def office_hours_body(w: World) -> dict[str, Any]:
    return {
        "course_id": w.course,
        "time_zone": "UTC",
        "slot_minutes": 30,
        "cutoff_minutes": 60,
        "windows": [{"weekday": d, "start": "00:00", "end": "24:00"} for d in range(7)],
    }


ROUTES = [
    Route("GET", "/courses/{course}", MEMBERS),
    Route("PATCH", "/courses/{course}", STAFF, js(lambda w: {"description": "changed"})),
    Route("POST", "/courses/{course}/enrolments", STAFF, enrolment),
    Route("POST", "/courses/{course}/enrolments/csv", STAFF, csv_body),
    Route("GET", "/courses/{course}/lectures", MEMBERS),
    Route("POST", "/courses/{course}/lectures", STAFF, js(lecture_body)),
    Route("GET", "/courses/{course}/resources", MEMBERS),
    Route(
        "POST",
        "/courses/{course}/resources",
        STAFF,
        js(lambda w: {"title": "Paper", "kind": "research", "url": "https://example.org/p"}),
    ),
    Route("DELETE", "/resources/{fresh_resource}", STAFF),
    Route("GET", "/lectures/{lecture}", MEMBERS),
    # A scheduled lecture's setting: a started one answers 409 lecture_started.
    Route(
        "PATCH",
        "/lectures/{fresh_lecture}",
        STAFF,
        js(lambda w: {"requires_admission": True}),
        passes=True,
    ),
    Route("POST", "/lectures/{lecture}/start", STAFF),
    Route("POST", "/lectures/{fresh_lecture}/end", STAFF),
    Route("POST", "/lectures/{lecture}/join", MEMBERS),
    Route("GET", "/lectures/{lecture}/polls", MEMBERS),
    Route("GET", "/lectures/{lecture}/audit", STAFF),
    Route("GET", "/lectures/{lecture}/chat", STAFF),
    Route("GET", "/lectures/{lecture}/annotations", STAFF),
    Route("GET", "/lectures/{lecture}/breakout-plan", STAFF),
    Route(
        "PUT",
        "/lectures/{lecture}/breakout-plan",
        STAFF,
        js(lambda w: {"groups": [{"name": "Red", "user_ids": []}]}),
    ),
    Route("GET", "/lectures/{lecture}/breakouts", STAFF),
    Route("GET", "/lectures/{meeting}/polls", PARTIES),
    Route("GET", "/lectures/{lecture}/decks", MEMBERS),
    Route("POST", "/lectures/{lecture}/decks", STAFF, deck_form),
    Route("GET", "/decks/{deck}/pages/1", MEMBERS),
    Route("GET", "/lectures/{meeting}", PARTIES),
    Route("GET", "/lectures/{meeting}/decks", PARTIES),
    Route("POST", "/lectures/{meeting}/join", PARTIES, passes=True),  # 409 until the slot
    Route("GET", "/videos/{video}", MEMBERS, anon=DENIED),
    Route("PATCH", "/videos/{video}", STAFF, js(lambda w: {"description": "changed"})),
    Route("DELETE", "/videos/{fresh_video}", STAFF),
    Route("GET", "/videos/{video}/jobs", STAFF),
    Route("GET", "/videos/{video}/position", MEMBERS),
    Route("PUT", "/videos/{video}/position", MEMBERS, js(lambda w: {"seconds": 12.5})),
    Route("POST", "/jobs/{fresh_job}/cancel", STAFF, passes=True),  # 409 once it has finished
    Route("PUT", "/office-hours", STAFF, js(office_hours_body)),
    Route("GET", "/courses/{course}/office-hours", MEMBERS),
    Route("GET", "/educators/{educator}/office-hours", MEMBERS),
    Route("GET", "/educators/{educator}/slots?start={start}&end={end}", MEMBERS),
    Route(
        "POST",
        "/bookings",
        frozenset({"student", "classmate"}),
        lambda w, fresh: {"json": {"educator_id": w.educator_id, "starts_at": w.slot(fresh)}},
    ),
    Route("POST", "/bookings/{fresh_booking}/cancel", PARTIES),  # the student, educator, admin
    Route(
        "POST",
        "/bookings/{fresh_booking}/reschedule",
        frozenset({"student", "admin"}),  # the admin moves it for the student
        lambda w, fresh: {"json": {"starts_at": w.slot(fresh)}},
    ),
    Route("POST", "/drop-ins", STAFF, js(lambda w: {"course_id": w.course})),
    Route("GET", "/courses/{course}/drop-ins", MEMBERS),
    Route("GET", "/drop-ins/{drop_in}", STAFF),  # the educator who opened it, or an admin
    Route("POST", "/drop-ins/{drop_in}/queue", frozenset({"student", "classmate"})),
    Route("GET", "/drop-ins/{drop_in}/queue/me", MEMBERS),
    Route("POST", "/drop-ins/{drop_in}/admit", STAFF, passes=True),
    Route("POST", "/drop-ins/{fresh_drop_in}/close", STAFF),
]


@dataclass
class World:
    http: aiohttp.ClientSession
    server: Server
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)
    spares: list[str] = field(default_factory=list)
    educator_id: int = 0
    base: datetime = field(default_factory=lambda: datetime.now(UTC))
    slots_used: int = 0

    @property
    def course(self) -> int:
        return self.ids["course"]

    def slot(self, fresh: bool = True) -> str:
        """A distinct free slot each time (forbidden callers all get the next free one)."""
        self.slots_used += 1
        used = self.slots_used
        if not fresh:
            self.slots_used -= 1
        return (self.base + timedelta(minutes=30 * used)).isoformat()

    def spare(self, fresh: bool) -> str:
        """An account in no course; a success enrols it, so it is used once."""
        return self.spares.pop() if fresh else self.spares[-1]

    async def call(self, actor: str, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        headers = {**kwargs.pop("headers", {}), **self.headers.get(actor, {})}
        async with self.http.request(
            method, self.server.url("/api/v1" + path), headers=headers, **kwargs
        ) as response:
            ctype = response.content_type
            body = await response.json(content_type=None) if "json" in ctype else None
            return response.status, body

    async def ok(self, actor: str, method: str, path: str, **kwargs: Any) -> Any:
        status, body = await self.call(actor, method, path, **kwargs)
        assert 200 <= status < 300, (actor, method, path, status, body)
        return body

    async def new_user(self, name: str, role: str) -> str:
        username = f"{name}-{secrets.token_hex(4)}"
        body = {"username": username, "password": PASSWORD, "role": role}
        await self.ok("admin", "POST", "/users", json=body)
        return username

    async def fresh(self, kind: str) -> int:
        """A new object of ``kind`` in course A, for a success that consumes it."""
        if kind == "resource":
            body = {"title": "Tmp", "kind": "book", "url": "https://example.org/b"}
            made = await self.ok("educator", "POST", f"/courses/{self.course}/resources", json=body)
        elif kind == "lecture":
            made = await self.ok(
                "educator", "POST", f"/courses/{self.course}/lectures", json=lecture_body(self)
            )
        elif kind in ("video", "job"):
            form = aiohttp.FormData()
            form.add_field("course_id", str(self.course))
            form.add_field("title", "Clip")
            form.add_field("file", b"not really a video", filename="c.mp4")
            made = await self.ok("educator", "POST", "/videos", data=form)
            if kind == "job":
                jobs = await self.ok("educator", "GET", f"/videos/{made['id']}/jobs")
                return int(jobs["items"][0]["id"])
        elif kind == "booking":
            booking = {"educator_id": self.educator_id, "starts_at": self.slot()}
            made = await self.ok("student", "POST", "/bookings", json=booking)
        elif kind == "drop_in":
            made = await self.ok("educator", "POST", "/drop-ins", json={"course_id": self.course})
        else:
            raise AssertionError(kind)
        return int(made["id"])

    async def path(self, template: str, fresh: bool) -> str:
        values: dict[str, Any] = dict(self.ids)
        values["start"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        values["end"] = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
        for kind in ("resource", "lecture", "video", "job", "booking", "drop_in"):
            if "{fresh_" + kind + "}" in template:
                values["fresh_" + kind] = await self.fresh(kind) if fresh else self.ids[kind]
        return template.format(**values)

    async def snapshot(self) -> dict[str, Any]:
        """What a forbidden write could have changed, read by those allowed to see it."""
        c, ids = self.course, self.ids
        reads = {
            "course": ("admin", f"/courses/{c}"),
            "lectures": ("admin", f"/courses/{c}/lectures?limit=200"),
            "lecture": ("admin", f"/lectures/{ids['lecture']}"),
            "meeting": ("admin", f"/lectures/{ids['meeting']}"),
            "resources": ("admin", f"/courses/{c}/resources"),
            "decks": ("educator", f"/lectures/{ids['lecture']}/decks"),
            "videos": ("admin", f"/videos?course_id={c}&limit=100"),
            "jobs": ("admin", f"/videos/{ids['video']}/jobs"),
            "hours": ("admin", f"/educators/{self.educator_id}/office-hours"),
            "other_hours": ("admin", f"/educators/{ids['other_educator']}/office-hours"),
            "bookings": ("educator", "/bookings"),
            "drop_ins": ("admin", f"/courses/{c}/drop-ins"),
            "queue": ("educator", f"/drop-ins/{ids['drop_in']}"),
        }
        state: dict[str, Any] = {}
        for key, (actor, path) in reads.items():
            state[key] = await self.call(actor, "GET", path)
        for video in state["videos"][1]["items"]:  # processing runs meanwhile: keep what a
            for volatile in ("status", "duration_seconds", "width", "height", "renditions"):
                video.pop(volatile)  # caller could have changed
        state["jobs"] = [j["state"] == "cancelled" for j in state["jobs"][1]["items"]]
        return state


async def build(http: aiohttp.ClientSession, server: Server) -> World:
    w = World(http, server)
    w.headers["admin"] = await bearer(http, server, *ADMIN)
    users = {
        "educator": await w.new_user("edu-a", "educator"),
        "other_educator": await w.new_user("edu-b", "educator"),
        "student": await w.new_user("stu-a", "student"),
        "classmate": await w.new_user("mate-a", "student"),
        "other_student": await w.new_user("stu-b", "student"),
    }
    w.spares = [await w.new_user("spare", "student") for _ in range(5)]
    for actor, username in users.items():
        w.headers[actor] = await bearer(http, server, username)
        w.ids[actor] = int((await w.ok(actor, "GET", "/me"))["id"])
    w.educator_id = w.ids["educator"]
    for teacher, students in (("educator", ("student", "classmate")), ("other_educator", ())):
        code = f"AZ{secrets.token_hex(3)}"
        course = await w.ok(teacher, "POST", "/courses", json={"code": code, "title": code})
        w.ids["course" if teacher == "educator" else "other_course"] = int(course["id"])
        for s in students:
            await w.ok(
                teacher, "POST", f"/courses/{course['id']}/enrolments", json={"username": users[s]}
            )
    await w.ok(
        "other_educator",
        "POST",
        f"/courses/{w.ids['other_course']}/enrolments",
        json={"username": users["other_student"]},
    )
    w.ids["lecture"] = await w.fresh("lecture")
    await w.ok("educator", "POST", f"/lectures/{w.ids['lecture']}/start")
    for kind in ("resource", "video", "drop_in"):
        w.ids[kind] = await w.fresh(kind)
    w.ids["job"] = int(
        (await w.ok("educator", "GET", f"/videos/{w.ids['video']}/jobs"))["items"][0]["id"]
    )
    deck = await w.ok(
        "educator", "POST", f"/lectures/{w.ids['lecture']}/decks", **deck_form(w, True)
    )
    w.ids["deck"] = int(deck["id"])
    w.base = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(
        days=2
    )
    await w.ok("educator", "PUT", "/office-hours", json=office_hours_body(w))
    booking = await w.ok(
        "student", "POST", "/bookings", json={"educator_id": w.educator_id, "starts_at": w.slot()}
    )
    w.ids["booking"] = int(booking["id"])
    w.ids["meeting"] = int(booking["join_url"].rsplit("/", 1)[1])
    for _ in range(200):
        decks = await w.ok("educator", "GET", f"/lectures/{w.ids['lecture']}/decks")
        status = next(d["status"] for d in decks["items"] if d["id"] == w.ids["deck"])
        if status != "processing":
            break
        await asyncio.sleep(0.1)
    assert status == "ready", decks
    return w


async def test_every_actor_on_every_scoped_route(
    http: aiohttp.ClientSession, server: Server
) -> None:
    w = await build(http, server)
    failures: list[str] = []
    for route in ROUTES:
        denied = [a for a in ACTORS if a != "anon" and a not in route.ok]
        before = await w.snapshot() if route.method != "GET" else None
        for actor in ["anon", *denied]:
            path = await w.path(route.path, fresh=False)
            extra = route.body(w, False) if route.body else {}
            status, body = await w.call(actor, route.method, path, **extra)
            expected = route.anon if actor == "anon" else DENIED
            if status not in expected:
                failures.append(f"{actor} {route.method} {path}: {status} {body}")
        if before is not None:
            after = await w.snapshot()
            changed = [k for k in before if before[k] != after[k]]
            if changed:
                diff = {k: (before[k], after[k]) for k in changed}
                failures.append(f"forbidden {route.method} {route.path} changed {diff}")
        for actor in sorted(route.ok):
            path = await w.path(route.path, fresh=True)
            extra = route.body(w, True) if route.body else {}
            status, body = await w.call(actor, route.method, path, **extra)
            if not (200 <= status < 300 or (route.passes and status == 409)):
                failures.append(f"{actor} {route.method} {path}: {status} {body}")
    assert not failures, "\n".join(failures)


def test_table_covers_every_scoped_route() -> None:
    """A new id-scoped route in these modules must get a row (modules added later test their
    own authorization)."""
    checked = {
        f"portal_api.{m}"
        for m in (
            "courses enrolment_csv lectures lecture_records decks resources videos office_hours"
            " drop_in breakouts"
        ).split()
    }
    declared = {
        (op.method, re.sub(r"\{\w+\}", "{}", op.path))
        for op in api_router().operations
        if op.handler.__module__ in checked
        and (op.path_params or op.body is not None)
        and op.path not in ("/courses", "/videos")
    }
    table = {(r.method, re.sub(r"\{\w+\}|(?<=/)1$", "{}", r.path.split("?")[0])) for r in ROUTES}
    assert declared - table == set()
