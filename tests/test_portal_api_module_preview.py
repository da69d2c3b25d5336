"""Preview as a student over the real server: a draft module seen as a learner yet to start it
(locks and all, whatever the educator did themselves), and quiz answers checked with feedback
while no attempt, progress or class figure changes."""

from __future__ import annotations

from typing import Any

import aiohttp

from tests.conftest import ADMIN, Server, bearer
from tests.module_builder import (
    Course,
    add_reading,
    add_unit,
    answers,
    call,
    five_questions,
    new_course,
    new_module,
    other_educator,
)


async def draft_module(
    http: aiohttp.ClientSession, server: Server, published: bool = False
) -> tuple[Course, dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A sequential module (a draft unless ``published``): a quiz, then a reading after it."""
    course = await new_course(http, server)
    module = await new_module(http, server, course, published=published, mastery_threshold=0.8)
    quiz = {"questions": five_questions()}
    unit = await add_unit(http, server, course, module["id"], kind="quiz", title="Check", quiz=quiz)
    reading = await add_unit(
        http,
        server,
        course,
        module["id"],
        kind="reading",
        title="Next",
        resource_id=await add_reading(http, server, course),
        position=1,
    )
    return course, module, unit, reading


async def test_preview_shows_a_fresh_learners_locks_even_after_the_educators_own_progress(
    http: aiohttp.ClientSession, server: Server
) -> None:
    course, module, quiz_unit, reading = await draft_module(http, server)
    mid, quiz_id = module["id"], quiz_unit["quiz_id"]
    # The educator masters the quiz and opens the reading: their own view shows it done.
    await call(
        http,
        server,
        "POST",
        f"/quizzes/{quiz_id}/attempts",
        course.educator,
        {"answers": answers(5)},
        201,
    )
    await call(http, server, "POST", f"/units/{reading['id']}/opened", course.educator, None, 200)
    _, own = await call(http, server, "GET", f"/modules/{mid}", course.educator, expect=200)
    assert [u["state"] for u in own["units"]] == ["completed", "completed"]

    _, seen = await call(http, server, "GET", f"/modules/{mid}/preview", course.educator, None, 200)
    assert seen["can_manage"] is False and seen["published"] is False
    assert {k: v for k, v in seen.items() if k not in ("can_manage", "units")} == {
        k: v for k, v in own.items() if k not in ("can_manage", "units")
    }
    first, second = seen["units"]
    assert (first["id"], first["locked"], first["state"]) == (quiz_unit["id"], False, "not_started")
    assert first["quiz_id"] == quiz_id and first["attempts"] == 0 and first["best_score"] is None
    assert (second["id"], second["locked"], second["state"]) == (reading["id"], True, "not_started")
    assert second["reading"] is None  # withheld, as from a locked learner
    # The same shape as the real view, key for key.
    assert set(seen) == set(own) and set(first) == set(own["units"][0])

    # A free-order module previews with nothing locked, as a learner would get it.
    await call(http, server, "PATCH", f"/modules/{mid}", course.educator, {"sequential": False})
    _, free = await call(http, server, "GET", f"/modules/{mid}/preview", course.educator, None, 200)
    assert [u["locked"] for u in free["units"]] == [False, False]
    assert free["units"][1]["reading"]["url"]


async def test_check_scores_with_feedback_and_records_nothing(
    http: aiohttp.ClientSession, server: Server
) -> None:
    course, module, quiz_unit, _ = await draft_module(http, server, published=True)
    mid, quiz_id = module["id"], quiz_unit["quiz_id"]
    educator, student = course.educator, course.students[0]
    await call(
        http, server, "POST", f"/quizzes/{quiz_id}/attempts", student, {"answers": answers(2)}, 201
    )

    async def snapshot() -> dict[str, Any]:
        _, mine = await call(http, server, "GET", f"/quizzes/{quiz_id}/attempts", educator)
        _, theirs = await call(http, server, "GET", f"/quizzes/{quiz_id}/attempts", student)
        _, own = await call(http, server, "GET", f"/modules/{mid}/progress", educator)
        _, view = await call(http, server, "GET", f"/modules/{mid}", student)
        _, figures = await call(http, server, "GET", f"/modules/{mid}/class-progress", educator)
        return {"mine": mine, "theirs": theirs, "own": own, "view": view, "figures": figures}

    before = await snapshot()
    assert before["mine"]["total"] == 0 and before["theirs"]["total"] == 1
    assert before["figures"]["units"][0]["attempts"] == 1

    _, preview_quiz = await call(http, server, "GET", f"/quizzes/{quiz_id}/preview", educator)
    assert preview_quiz["attempts_used"] == 0 and preview_quiz["best_score"] is None
    assert "FB-" not in str(preview_quiz) and '"correct"' not in str(preview_quiz)

    _, checked = await call(
        http, server, "POST", f"/quizzes/{quiz_id}/check", educator, {"answers": answers(5)}, 200
    )
    assert checked["score"] == 1.0 and checked["mastered"] is True
    assert checked["mastery_threshold"] == 0.8
    assert checked["results"][0] == {
        "question": "q1",
        "correct": True,
        "points": 1.0,
        "feedback": ["FB-RIGHT-q1"],
    }
    _, wrong = await call(
        http, server, "POST", f"/quizzes/{quiz_id}/check", educator, {"answers": answers(3)}, 200
    )
    assert wrong["score"] == 0.6 and wrong["mastered"] is False
    assert wrong["results"][4]["feedback"] == ["FB-WRONG-q5"] and not wrong["results"][4]["correct"]

    after = await snapshot()
    assert after == before
    assert after["own"]["completed_units"] == 0
    assert [u["locked"] for u in after["view"]["units"]] == [False, True]

    # Answers that do not fit the quiz, or a malformed body, are refused with 422.
    for body in (
        {"answers": [{"question": "nope", "choices": ["a"]}]},
        {"answers": [{"question": "q1", "choices": ["a"]}, {"question": "q1", "choices": ["w"]}]},
        {"answers": "a"},
        {"answers": [], "extra": 1},
    ):
        status, problem = await call(
            http, server, "POST", f"/quizzes/{quiz_id}/check", educator, body
        )
        assert status == 422 and problem["code"] == "validation_error", body
    assert await snapshot() == before


async def test_only_the_courses_educators_preview(
    http: aiohttp.ClientSession, server: Server
) -> None:
    course, module, quiz_unit, _ = await draft_module(http, server, published=True)
    mid, quiz_id = module["id"], quiz_unit["quiz_id"]
    _, draft, draft_unit, _ = await draft_module(http, server)
    student = course.students[0]
    outsider = await bearer(http, server, "student3")
    stranger = await other_educator(http, server)
    check = {"answers": answers(5)}
    routes: list[tuple[str, str, Any]] = [
        ("GET", f"/modules/{mid}/preview", None),
        ("GET", f"/quizzes/{quiz_id}/preview", None),
        ("POST", f"/quizzes/{quiz_id}/check", check),
    ]
    for who in (student, outsider, stranger):
        for method, path, body in routes:
            status, problem = await call(http, server, method, path, who, body)
            assert status == 403 and problem["code"] == "forbidden", (method, path)
            assert problem["type"] and problem["title"]
    for method, path, body in routes:
        status, problem = await call(http, server, method, path, None, body)
        assert status == 401 and problem["code"] == "unauthenticated", (method, path)
    # A draft stays invisible to the course's students, as on its own page.
    for path, body in (
        (f"/modules/{draft['id']}/preview", None),
        (f"/quizzes/{draft_unit['quiz_id']}/check", check),
    ):
        status, _ = await call(http, server, "GET" if body is None else "POST", path, student, body)
        assert status == 404, path
    for method, path, body in (
        ("GET", "/modules/999999999/preview", None),
        ("GET", "/quizzes/999999999/preview", None),
        ("POST", "/quizzes/999999999/check", check),
    ):
        status, problem = await call(http, server, method, path, course.educator, body)
        assert status == 404 and problem["code"] == "not_found", (method, path)
    # The admin previews any course's module.
    admin = await bearer(http, server, *ADMIN)
    status, _ = await call(http, server, "GET", f"/modules/{mid}/preview", admin)
    assert status == 200
    # Nothing the refused callers sent was recorded.
    _, figures = await call(http, server, "GET", f"/modules/{mid}/class-progress", course.educator)
    assert figures["units"][0]["attempts"] == 0


async def test_preview_routes_are_documented(http: aiohttp.ClientSession, server: Server) -> None:
    async with http.get(server.url("/api/v1/openapi.json")) as response:
        doc = await response.json()
    paths = doc["paths"]
    for path, method, statuses in (
        ("/api/v1/modules/{module_id}/preview", "get", {"200", "401", "403", "404"}),
        ("/api/v1/quizzes/{quiz_id}/preview", "get", {"200", "401", "403", "404"}),
        ("/api/v1/quizzes/{quiz_id}/check", "post", {"200", "401", "403", "404", "422"}),
    ):
        assert statuses <= set(paths[path][method]["responses"]), (path, method)
    check = paths["/api/v1/quizzes/{quiz_id}/check"]["post"]
    assert check["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/AttemptIn"
    )
