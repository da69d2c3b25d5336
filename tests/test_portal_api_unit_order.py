"""PUT /modules/{id}/units/order over the real server: the whole order saved at once, a list
that is not exactly the module's units refused, and only the course's educators and admins."""

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
