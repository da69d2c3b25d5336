"""Reordering a course's modules over the real server: the whole order in one PUT, saved as a
unit, refused unless it names exactly the course's modules, and only for its educators."""

from __future__ import annotations

from typing import Any

import aiohttp

from tests.conftest import ADMIN, Server, bearer
from tests.module_builder import Course, call, new_course, new_module, other_educator

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
