"""Reordering over the real server (portal_api/orders.py): a course's modules and a module's
units, each the whole order in one PUT, saved together, refused unless it names exactly the
items there are, and only for the course's educators and admins."""

from __future__ import annotations

from typing import Any

import aiohttp

from tests.conftest import ADMIN, Server, bearer
from tests.module_builder import (
    Course,
    add_reading,
    add_unit,
    call,
    five_questions,
    new_course,
    new_module,
    other_educator,
)

PROBLEM = "application/problem+json"


def order_path(course: Course) -> str:
    return f"/courses/{course.id}/modules/order"


async def listed(http: aiohttp.ClientSession, server: Server, course: Course) -> list[int]:
    _, page = await call(
        http, server, "GET", f"/courses/{course.id}/modules", course.educator, expect=200
    )
    return [m["id"] for m in page["items"]]


async def three_modules(
    http: aiohttp.ClientSession, server: Server, course: Course
) -> list[dict[str, Any]]:
    return [
        await new_module(http, server, course, title=title, position=i)
        for i, title in enumerate(("One", "Two", "Three"))
    ]


async def test_new_order_is_saved_and_listed(http: aiohttp.ClientSession, server: Server) -> None:
    course = await new_course(http, server)
    one, two, three = (m["id"] for m in await three_modules(http, server, course))
    assert await listed(http, server, course) == [one, two, three]

    order = [three, one, two]
    _, answer = await call(
        http, server, "PUT", order_path(course), course.educator, {"module_ids": order}, 200
    )
    assert answer == {"module_ids": order}
    assert await listed(http, server, course) == order
    _, page = await call(
        http, server, "GET", f"/courses/{course.id}/modules", course.educator, expect=200
    )
    assert [m["position"] for m in page["items"]] == [0, 1, 2]
    # A student sees the same order.
    _, page = await call(
        http, server, "GET", f"/courses/{course.id}/modules", course.students[0], expect=200
    )
    assert [m["id"] for m in page["items"]] == order

    admin = await bearer(http, server, *ADMIN)
    await call(
        http, server, "PUT", order_path(course), admin, {"module_ids": [two, three, one]}, 200
    )
    assert await listed(http, server, course) == [two, three, one]


async def test_an_order_that_is_not_the_course_modules_is_refused(
    http: aiohttp.ClientSession, server: Server
) -> None:
    course = await new_course(http, server)
    one, two, three = (m["id"] for m in await three_modules(http, server, course))
    stranger = (await new_module(http, server, await new_course(http, server)))["id"]
    wrong = {
        "missing": [one, two],
        "extra": [one, two, three, stranger],
        "foreign": [one, two, stranger],
        "duplicate": [one, two, three, three],
        "duplicate instead of one": [one, two, two],
        "unknown id": [one, two, three, 999_999_999],
        "empty": [],
    }
    for case, ids in wrong.items():
        async with http.put(
            server.url(f"/api/v1{order_path(course)}"),
            headers=course.educator,
            json={"module_ids": ids},
        ) as response:
            assert response.status == 422, (case, await response.text())
            assert response.content_type == PROBLEM
            problem = await response.json(content_type=None)
            assert problem["code"] == "validation_error", case
            assert problem["detail"], case
    for bad in ({}, {"module_ids": [one, two, three], "extra": 1}, {"module_ids": ["x"]}):
        status, problem = await call(http, server, "PUT", order_path(course), course.educator, bad)
        assert status == 422 and problem["code"] == "validation_error", bad
    assert await listed(http, server, course) == [one, two, three]


async def test_only_the_course_educators_reorder(
    http: aiohttp.ClientSession, server: Server
) -> None:
    course = await new_course(http, server)
    one, two, three = (m["id"] for m in await three_modules(http, server, course))
    body = {"module_ids": [three, two, one]}

    status, problem = await call(http, server, "PUT", order_path(course), course.students[0], body)
    assert status == 403 and problem["code"] == "forbidden"
    stranger = await other_educator(http, server)
    status, _ = await call(http, server, "PUT", order_path(course), stranger, body)
    assert status in (403, 404)
    status, problem = await call(http, server, "PUT", order_path(course), None, body)
    assert status == 401 and problem["code"] == "unauthenticated"
    assert await listed(http, server, course) == [one, two, three]

    status, problem = await call(
        http, server, "PUT", "/courses/999999999/modules/order", course.educator, body
    )
    assert status == 404 and problem["code"] == "not_found"


async def three_units(
    http: aiohttp.ClientSession, server: Server, course: Course
) -> tuple[int, list[int]]:
    module = await new_module(http, server, course)
    resource_id = await add_reading(http, server, course)
    quiz = {"questions": five_questions()}
    ids = []
    for position, title in enumerate(("First", "Second", "Third")):
        body: dict[str, Any] = (
            {"kind": "quiz", "quiz": quiz}
            if position == 1
            else {"kind": "reading", "resource_id": resource_id}
        )
        unit = await add_unit(
            http, server, course, module["id"], title=title, position=position, **body
        )
        ids.append(unit["id"])
    return module["id"], ids


async def titles(http: aiohttp.ClientSession, server: Server, mid: int, who: Any) -> list[str]:
    _, module = await call(http, server, "GET", f"/modules/{mid}", who, expect=200)
    return [u["title"] for u in module["units"]]


async def test_the_new_order_is_what_everyone_then_sees(
    http: aiohttp.ClientSession, server: Server
) -> None:
    course = await new_course(http, server)
    mid, (first, second, third) = await three_units(http, server, course)
    path = f"/modules/{mid}/units/order"
    body = {"unit_ids": [third, first, second]}
    _, saved = await call(http, server, "PUT", path, course.educator, body, 200)
    assert saved == body
    assert await titles(http, server, mid, course.educator) == ["Third", "First", "Second"]
    assert await titles(http, server, mid, course.students[0]) == ["Third", "First", "Second"]
    _, module = await call(http, server, "GET", f"/modules/{mid}", course.educator, expect=200)
    assert [u["position"] for u in module["units"]] == [0, 1, 2]

    admin = await bearer(http, server, *ADMIN)
    await call(http, server, "PUT", path, admin, {"unit_ids": [second, third, first]}, 200)
    assert await titles(http, server, mid, course.students[1]) == ["Second", "Third", "First"]


async def test_a_list_that_is_not_exactly_the_modules_units_is_refused(
    http: aiohttp.ClientSession, server: Server
) -> None:
    course = await new_course(http, server)
    mid, (first, second, third) = await three_units(http, server, course)
    _, foreign = await three_units(http, server, course)  # another module's units
    path = f"/modules/{mid}/units/order"
    bad = [
        [first, second],
        [first, second, third, third],
        [first, second, foreign[0]],
        [first, second, third, foreign[0]],
        [],
    ]
    for ids in bad:
        status, problem = await call(http, server, "PUT", path, course.educator, {"unit_ids": ids})
        assert status == 422, (ids, problem)
        assert problem["code"] == "validation_error", problem
    for body in ({"unit_ids": [0]}, {"unit_ids": "1,2"}, {"unit_ids": [first], "x": 1}, {}):
        status, problem = await call(http, server, "PUT", path, course.educator, body)
        assert status == 422 and problem["code"] == "validation_error", (body, problem)
    # Nothing moved.
    assert await titles(http, server, mid, course.educator) == ["First", "Second", "Third"]


async def test_only_the_courses_educators_and_admins_reorder(
    http: aiohttp.ClientSession, server: Server
) -> None:
    course = await new_course(http, server)
    mid, ids = await three_units(http, server, course)
    path = f"/modules/{mid}/units/order"
    body = {"unit_ids": list(reversed(ids))}
    student = course.students[0]
    outsider = await bearer(http, server, "student3")
    stranger = await other_educator(http, server)
    for who in (student, outsider, stranger):
        status, problem = await call(http, server, "PUT", path, who, body)
        assert status == 403 and problem["code"] == "forbidden", problem
    status, problem = await call(http, server, "PUT", path, None, body)
    assert status == 401, problem
    status, problem = await call(
        http, server, "PUT", "/modules/99999999/units/order", course.educator, body
    )
    assert status == 404 and problem["code"] == "not_found", problem
    assert await titles(http, server, mid, course.educator) == ["First", "Second", "Third"]
