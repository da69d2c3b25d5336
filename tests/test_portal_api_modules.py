"""Modules over the real server: building, sequential locks, progress, open courses, and who may."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from tests.conftest import Server, bearer
from tests.media import make_clip
from tests.module_builder import (
    add_reading,
    add_unit,
    call,
    five_questions,
    new_course,
    new_module,
    other_educator,
    ready_video,
)

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return make_clip(tmp_path_factory.mktemp("media") / "clip.mp4", 2).read_bytes()


def by_id(module: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {u["id"]: u for u in module["units"]}


async def test_sequential_module_unlocks_unit_by_unit(
    http: aiohttp.ClientSession, server: Server, clip: bytes
) -> None:
    course = await new_course(http, server)
    video = await ready_video(http, server, course, clip)
    resource_id = await add_reading(http, server, course)
    module = await new_module(http, server, course, sequential=True, mastery_threshold=0.8)
    mid = module["id"]
    u1 = await add_unit(
        http, server, course, mid, kind="video", title="Watch", video_id=video["id"]
    )
    u2 = await add_unit(
        http, server, course, mid, kind="reading", title="Read", resource_id=resource_id, position=1
    )
    quiz = {"questions": five_questions()}
    u3 = await add_unit(
        http, server, course, mid, kind="quiz", title="Check", quiz=quiz, position=2
    )
    assert u3["quiz_id"] and not u1["locked"]  # the educator is never locked out

    student = course.students[0]
    _, seen = await call(http, server, "GET", f"/modules/{mid}", student, expect=200)
    units = by_id(seen)
    assert [u["id"] for u in seen["units"]] == [u1["id"], u2["id"], u3["id"]]
    assert [units[u]["locked"] for u in (u1["id"], u2["id"], u3["id"])] == [False, True, True]
    assert units[u1["id"]]["video_id"] == video["id"]
    # A locked unit's target is withheld: no reading URL, no quiz id.
    assert units[u2["id"]]["reading"] is None and units[u3["id"]]["quiz_id"] is None

    status, problem = await call(http, server, "POST", f"/units/{u2['id']}/opened", student)
    assert status == 409 and problem["code"] == "locked"
    status, problem = await call(http, server, "GET", f"/quizzes/{u3['quiz_id']}", student)
    assert status == 409 and problem["code"] == "locked"

    # Half the video is not enough; the player's saved position near the end is.
    duration = video["duration_seconds"]
    position = f"/videos/{video['id']}/position"
    await call(http, server, "PUT", position, student, {"seconds": duration * 0.5}, 200)
    _, seen = await call(http, server, "GET", f"/modules/{mid}", student, expect=200)
    assert by_id(seen)[u2["id"]]["locked"] and by_id(seen)[u1["id"]]["state"] == "not_started"
    await call(http, server, "PUT", position, student, {"seconds": duration * 0.95}, 200)
    _, seen = await call(http, server, "GET", f"/modules/{mid}", student, expect=200)
    units = by_id(seen)
    assert units[u1["id"]]["state"] == "completed" and not units[u2["id"]]["locked"]
    assert units[u2["id"]]["reading"]["url"] == "https://repository.example/handle/123"
    assert units[u3["id"]]["locked"]

    _, opened = await call(http, server, "POST", f"/units/{u2['id']}/opened", student, expect=200)
    assert opened["state"] == "completed"
    # Rewinding the video does not take the completion back.
    await call(http, server, "PUT", position, student, {"seconds": 0}, 200)
    _, progress = await call(http, server, "GET", f"/modules/{mid}/progress", student, expect=200)
    assert (progress["completed_units"], progress["total_units"]) == (2, 3)
    assert not progress["complete"] and not by_id(progress)[u3["id"]]["locked"]

    # The other student has done nothing and is still at the start.
    _, theirs = await call(http, server, "GET", f"/modules/{mid}/progress", course.students[1])
    assert theirs["completed_units"] == 0 and by_id(theirs)[u2["id"]]["locked"]
    # Watched to the end and replayed from the start before looking at the module: the video
    # counts from the moment the player saved the position near its end.
    for seconds in (duration * 0.95, 0):
        await call(http, server, "PUT", position, course.students[1], {"seconds": seconds}, 200)
    _, theirs = await call(http, server, "GET", f"/modules/{mid}/progress", course.students[1])
    assert theirs["completed_units"] == 1 and by_id(theirs)[u1["id"]]["state"] == "completed"


async def test_drafts_free_order_and_unit_edits(
    http: aiohttp.ClientSession, server: Server
) -> None:
    course = await new_course(http, server)
    draft = await new_module(http, server, course, title="Draft", published=False)
    free = await new_module(http, server, course, title="Free", sequential=False, position=1)
    student = course.students[0]
    _, listed = await call(http, server, "GET", f"/courses/{course.id}/modules", student, None, 200)
    assert [m["title"] for m in listed["items"]] == ["Free"] and listed["total"] == 1
    _, listed = await call(
        http, server, "GET", f"/courses/{course.id}/modules?limit=1&offset=1", course.educator
    )
    assert [m["title"] for m in listed["items"]] == ["Free"] and listed["total"] == 2
    status, problem = await call(http, server, "GET", f"/modules/{draft['id']}", student)
    assert status == 404 and problem["code"] == "not_found"

    resource_id = await add_reading(http, server, course)
    quiz = {"questions": five_questions()}
    await add_unit(http, server, course, free["id"], kind="quiz", title="Q", quiz=quiz)
    reading = await add_unit(
        http, server, course, free["id"], kind="reading", title="R", resource_id=resource_id
    )
    _, seen = await call(http, server, "GET", f"/modules/{free['id']}", student, expect=200)
    assert not any(u["locked"] for u in seen["units"])  # not sequential: everything is open

    _, moved = await call(
        http, server, "PATCH", f"/units/{reading['id']}", course.educator, {"position": 5}, 200
    )
    assert moved["position"] == 5
    await call(http, server, "DELETE", f"/units/{reading['id']}", course.educator, expect=204)
    _, seen = await call(http, server, "GET", f"/modules/{free['id']}", student, expect=200)
    assert [u["title"] for u in seen["units"]] == ["Q"]
    await call(
        http, server, "PATCH", f"/modules/{draft['id']}", course.educator, {"published": True}, 200
    )
    await call(http, server, "GET", f"/modules/{draft['id']}", student, expect=200)
    await call(http, server, "DELETE", f"/modules/{draft['id']}", course.educator, expect=204)
    await call(http, server, "GET", f"/modules/{draft['id']}", course.educator, expect=404)


async def test_bad_units_and_modules_are_refused(
    http: aiohttp.ClientSession, server: Server
) -> None:
    course = await new_course(http, server)
    other = await new_course(http, server)
    module = await new_module(http, server, course)
    foreign = await add_reading(http, server, other)
    url = f"/modules/{module['id']}/units"
    bad_bodies: list[Any] = [
        {"kind": "video", "title": "no video"},
        {"kind": "reading", "title": "two targets", "resource_id": foreign, "video_id": 1},
        {"kind": "quiz", "title": "empty", "quiz": {"questions": []}},
        {"kind": "quiz", "title": "s", "quiz": {"summative": True, "questions": five_questions()}},
        {"kind": "podcast", "title": "unknown kind"},
        {"kind": "video", "title": "id beyond INTEGER", "video_id": 2**31},
    ]
    for body in bad_bodies:
        status, problem = await call(http, server, "POST", url, course.educator, body)
        assert status == 422 and problem["code"] == "validation_error", body
    body = {"kind": "reading", "title": "foreign", "resource_id": foreign}
    status, _ = await call(http, server, "POST", url, course.educator, body)
    assert status == 404  # a resource of another course cannot be borrowed
    for fields in ({"mastery_threshold": 0}, {"mastery_threshold": 1.5}, {"open_course": True}):
        status, _ = await call(
            http,
            server,
            "POST",
            f"/courses/{course.id}/modules",
            course.educator,
            {"title": "x", **fields},
        )
        assert status == 422, fields
    status, _ = await call(
        http, server, "PATCH", f"/modules/{module['id']}", course.educator, {"open_course": True}
    )
    assert status == 422
    for path in ("/modules/abc", "/modules/99999999", "/modules/99999999999", "/units/0/opened"):
        method = "POST" if path.endswith("opened") else "GET"
        status, problem = await call(http, server, method, path, course.educator)
        assert status == 404 and problem["code"] == "not_found", path


async def test_open_course_is_visible_without_login(
    http: aiohttp.ClientSession, server: Server
) -> None:
    course = await new_course(http, server)
    resource_id = await add_reading(http, server, course)
    module = await new_module(
        http, server, course, title="Open physics", open_course=True, licence="CC BY-SA 4.0"
    )
    closed = await new_module(http, server, course, title="Members only")
    await add_unit(
        http, server, course, module["id"], kind="reading", title="Read", resource_id=resource_id
    )
    await add_unit(
        http,
        server,
        course,
        module["id"],
        kind="quiz",
        title="Check",
        quiz={"questions": five_questions()},
    )
    listed: list[dict[str, Any]] = []
    offset = 0
    while True:  # walk the pages: other tests may have opened courses too
        async with http.get(server.url(f"/api/v1/open-courses?limit=50&offset={offset}")) as r:
            assert r.status == 200
            page = await r.json()
        listed += page["items"]
        offset += 50
        if offset >= page["total"]:
            break
    mine = [m for m in listed if m["id"] == module["id"]]
    assert mine and mine[0]["licence"] == "CC BY-SA 4.0"
    assert all(m["id"] != closed["id"] for m in listed)
    async with http.get(server.url(f"/api/v1/open-courses/{module['id']}")) as r:
        assert r.status == 200
        raw = await r.text()
    detail = (await call(http, server, "GET", f"/open-courses/{module['id']}"))[1]
    assert detail["licence"] == "CC BY-SA 4.0" and [u["kind"] for u in detail["units"]] == [
        "reading",
        "quiz",
    ]
    assert detail["units"][0]["reading"]["licence"] == "CC BY 4.0"
    assert detail["units"][1]["question_count"] == 5
    assert "FB-RIGHT" not in raw and '"correct"' not in raw
    async with http.get(server.url(f"/api/v1/open-courses/{closed['id']}")) as r:
        assert r.status == 404 and r.content_type == PROBLEM
    # Without login the members' routes stay closed, even for an open module.
    status, problem = await call(http, server, "GET", f"/modules/{module['id']}")
    assert status == 401 and problem["code"] == "unauthenticated"


async def test_an_open_courses_video_plays_without_login(
    http: aiohttp.ClientSession, server: Server, clip: bytes
) -> None:
    """An open course's video units are open too: its playlist and MP4 need no login, for as
    long as the module is an open course; a private video stays its owner's."""
    course = await new_course(http, server)
    video = await ready_video(http, server, course, clip)
    module = await new_module(http, server, course, open_course=True, licence="CC BY 4.0")
    await add_unit(
        http, server, course, module["id"], kind="video", title="W", video_id=video["id"]
    )
    async with aiohttp.ClientSession() as anonymous:
        _, seen = await call(anonymous, server, "GET", f"/videos/{video['id']}", expect=200)
        for url in (seen["master_url"], seen["download_url"]):
            async with anonymous.get(server.url(url)) as response:
                assert response.status == 200, url
        await call(
            http,
            server,
            "PATCH",
            f"/modules/{module['id']}",
            course.educator,
            {"open_course": False},
        )
        async with anonymous.get(server.url(seen["master_url"])) as response:
            assert response.status == 403
        await call(
            http,
            server,
            "PATCH",
            f"/modules/{module['id']}",
            course.educator,
            {"open_course": True},
        )
        private = {"visibility": "private"}
        await call(http, server, "PATCH", f"/videos/{video['id']}", course.educator, private)
        async with anonymous.get(server.url(seen["master_url"])) as response:
            assert response.status == 403


async def test_outsiders_are_forbidden(http: aiohttp.ClientSession, server: Server) -> None:
    course = await new_course(http, server)
    module = await new_module(http, server, course)
    unit = await add_unit(
        http,
        server,
        course,
        module["id"],
        kind="quiz",
        title="Q",
        quiz={"questions": five_questions()},
    )
    mid = module["id"]
    outsider = await bearer(http, server, "student3")  # enrolled elsewhere, not here
    stranger = await other_educator(http, server)
    student = course.students[0]
    reads = [
        ("GET", f"/courses/{course.id}/modules"),
        ("GET", f"/modules/{mid}"),
        ("GET", f"/modules/{mid}/progress"),
        ("GET", f"/modules/{mid}/class-progress"),
        ("POST", f"/units/{unit['id']}/opened"),
        ("GET", f"/quizzes/{unit['quiz_id']}"),
    ]
    writes: list[tuple[str, str, Any]] = [
        ("POST", f"/courses/{course.id}/modules", {"title": "mine now"}),
        ("PATCH", f"/modules/{mid}", {"title": "mine now"}),
        ("DELETE", f"/modules/{mid}", None),
        (
            "POST",
            f"/modules/{mid}/units",
            {"kind": "quiz", "title": "x", "quiz": {"questions": five_questions()}},
        ),
        ("PATCH", f"/units/{unit['id']}", {"title": "mine now"}),
        ("DELETE", f"/units/{unit['id']}", None),
        ("GET", f"/quizzes/{unit['quiz_id']}/key", None),
        ("PUT", f"/quizzes/{unit['quiz_id']}", {"questions": five_questions()}),
    ]
    for who in (outsider, stranger):
        for method, path in reads:
            status, problem = await call(http, server, method, path, who)
            assert status == 403 and problem["code"] == "forbidden", (method, path)
    for who in (outsider, stranger, student):
        for method, path, body in writes:
            status, problem = await call(http, server, method, path, who, body)
            assert status == 403 and problem["code"] == "forbidden", (method, path)
    status, _ = await call(http, server, "GET", f"/modules/{mid}/class-progress", student)
    assert status == 403
    for method, path in reads:
        status, _ = await call(http, server, method, path)
        assert status == 401, (method, path)
    # Nothing the outsiders tried changed the module.
    _, seen = await call(http, server, "GET", f"/modules/{mid}", course.educator, expect=200)
    assert seen["title"] == "Kinematics" and [u["title"] for u in seen["units"]] == ["Q"]
