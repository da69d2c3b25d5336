"""Quizzes over the real server: no answers before answering, feedback, mastery, attempt limits,
numeric tolerance, and the class view an educator reads."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp

from tests.conftest import Server
from tests.module_builder import (
    Course,
    add_reading,
    add_unit,
    answers,
    call,
    choice,
    five_questions,
    new_course,
    new_module,
    numeric,
)


async def quiz_module(
    http: aiohttp.ClientSession, server: Server, quiz: dict[str, Any]
) -> tuple[Course, dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A sequential module: the quiz first, then a reading it unlocks."""
    course = await new_course(http, server)
    module = await new_module(http, server, course, mastery_threshold=0.8)
    unit = await add_unit(http, server, course, module["id"], kind="quiz", title="Check", quiz=quiz)
    resource_id = await add_reading(http, server, course)
    reading = await add_unit(
        http,
        server,
        course,
        module["id"],
        kind="reading",
        title="Next",
        resource_id=resource_id,
        position=1,
    )
    return course, module, unit, reading


async def attempt(
    http: aiohttp.ClientSession, server: Server, who: dict[str, str], quiz_id: int, given: Any
) -> tuple[int, Any]:
    return await call(http, server, "POST", f"/quizzes/{quiz_id}/attempts", who, {"answers": given})


async def locked(
    http: aiohttp.ClientSession, server: Server, who: dict[str, str], module_id: int, unit_id: int
) -> bool:
    _, seen = await call(http, server, "GET", f"/modules/{module_id}", who, expect=200)
    return bool(next(u for u in seen["units"] if u["id"] == unit_id)["locked"])


async def test_a_student_never_receives_the_answer_key(
    http: aiohttp.ClientSession, server: Server
) -> None:
    questions = [*five_questions(), choice("m", "a", "multiple"), numeric("n", 9.81, 0.05)]
    course, _, unit, _ = await quiz_module(http, server, {"questions": questions})
    async with http.get(
        server.url(f"/api/v1/quizzes/{unit['quiz_id']}"), headers=course.students[0]
    ) as response:
        assert response.status == 200
        raw = await response.text()
    for secret in ('"correct"', '"feedback', '"answer"', '"tolerance"', "FB-", "9.81"):
        assert secret not in raw, secret
    view = await response.json(content_type=None)
    assert [q["id"] for q in view["questions"]] == ["q1", "q2", "q3", "q4", "q5", "m", "n"]
    assert view["questions"][0]["options"] == [
        {"id": "a", "text": "right q1"},
        {"id": "w", "text": "wrong q1"},
    ]
    # Educators read the key from its own route; students may not.
    _, key = await call(http, server, "GET", f"/quizzes/{unit['quiz_id']}/key", course.educator)
    assert key["questions"][5]["options"][0]["correct"] is True
    assert key["questions"][6]["answer"] == 9.81
    status, _ = await call(
        http, server, "GET", f"/quizzes/{unit['quiz_id']}/key", course.students[0]
    )
    assert status == 403
    # An educator reading the questions starts nothing; a student opening them starts the unit.
    await call(http, server, "GET", f"/quizzes/{unit['quiz_id']}", course.educator, expect=200)
    for who, state in ((course.educator, "not_started"), (course.students[0], "in_progress")):
        _, seen = await call(http, server, "GET", f"/modules/{unit['module_id']}", who, expect=200)
        assert next(u for u in seen["units"] if u["id"] == unit["id"])["state"] == state


async def test_formative_feedback_and_mastery_at_threshold_unlock_the_next_unit(
    http: aiohttp.ClientSession, server: Server
) -> None:
    course, module, unit, reading = await quiz_module(http, server, {"questions": five_questions()})
    student, quiz_id = course.students[0], unit["quiz_id"]
    async with http.post(
        server.url(f"/api/v1/quizzes/{quiz_id}/attempts"),
        headers=student,
        json={"answers": answers(3)},
    ) as response:
        assert response.status == 201
        raw = await response.text()
    first = await response.json(content_type=None)
    assert first["score"] == 0.6 and not first["mastered"] and first["attempts_left"] is None
    marks = {r["question"]: r for r in first["results"]}
    assert marks["q1"] == {
        "question": "q1",
        "correct": True,
        "points": 1.0,
        "feedback": ["FB-RIGHT-q1"],
    }
    assert marks["q5"]["correct"] is False and marks["q5"]["feedback"] == ["FB-WRONG-q5"]
    # Feedback only for what was chosen: the wrong answers do not reveal the right option.
    assert "FB-RIGHT-q5" not in raw and "FB-WRONG-q1" not in raw
    assert await locked(http, server, student, module["id"], reading["id"])

    status, second = await attempt(http, server, student, quiz_id, answers(4))
    assert status == 201 and second["score"] == 0.8 and second["mastered"]  # 4/5 = threshold
    assert second["unit_completed"] and second["number"] == 2
    assert not await locked(http, server, student, module["id"], reading["id"])
    # Formative: more attempts stay possible, and a weaker one keeps the best score and the unlock.
    status, third = await attempt(http, server, student, quiz_id, answers(0))
    assert status == 201 and third["best_score"] == 0.8 and third["number"] == 3
    assert not await locked(http, server, student, module["id"], reading["id"])
    _, mine = await call(http, server, "GET", f"/quizzes/{quiz_id}/attempts?limit=2", student)
    assert [a["number"] for a in mine["items"]] == [3, 2] and mine["total"] == 3
    # Unknown questions or malformed answers are refused before anything is stored.
    twice = [{"question": "q1", "choices": ["w"]}, {"question": "q1", "choices": ["a"]}]
    for bad in ([{"question": "zz", "choices": ["a"]}], [{"question": "q1", "value": "x"}], twice):
        status, problem = await attempt(http, server, student, quiz_id, bad)
        assert status == 422 and problem["code"] == "validation_error"
    _, mine = await call(http, server, "GET", f"/quizzes/{quiz_id}/attempts", student)
    assert mine["total"] == 3


async def test_numeric_tolerance_and_multiple_choice(
    http: aiohttp.ClientSession, server: Server
) -> None:
    multi = choice("m", "a", "multiple")
    multi["options"].append({"id": "b", "text": "also right", "correct": True})
    quiz = {"questions": [numeric("n", 9.81, 0.05), multi]}
    course, _, unit, _ = await quiz_module(http, server, quiz)
    student, quiz_id = course.students[0], unit["quiz_id"]
    cases = [
        (9.85, ["a", "b"], 1.0),
        (9.76, ["a", "b"], 1.0),
        (9.87, ["a", "b"], 0.5),
        (9.81, ["a"], 0.5),  # only part of the correct options: no credit
        (9.81, ["a", "b", "w"], 0.5),  # ticking every box: no credit
    ]
    for value, chosen, expected in cases:
        given = [{"question": "n", "value": value}, {"question": "m", "choices": chosen}]
        status, result = await attempt(http, server, student, quiz_id, given)
        assert status == 201 and result["score"] == expected, (value, chosen, result)
    status, result = await attempt(http, server, student, quiz_id, [])
    assert result["score"] == 0.0 and result["results"][0]["feedback"] == ["FB-NUM-NO"]


async def test_summative_attempts_are_limited_and_scores_kept(
    http: aiohttp.ClientSession, server: Server
) -> None:
    quiz = {"summative": True, "max_attempts": 2, "questions": five_questions()}
    course, module, unit, reading = await quiz_module(http, server, quiz)
    student, quiz_id = course.students[0], unit["quiz_id"]
    status, first = await attempt(http, server, student, quiz_id, answers(3))
    assert status == 201 and first["attempts_left"] == 1 and not first["unit_completed"]
    status, second = await attempt(http, server, student, quiz_id, answers(1))
    assert status == 201 and second["attempts_left"] == 0
    assert second["best_score"] == 0.6 and second["score"] == 0.2 and second["unit_completed"]
    status, problem = await attempt(http, server, student, quiz_id, answers(5))
    assert status == 409 and problem["code"] == "attempts_exhausted"
    _, view = await call(http, server, "GET", f"/quizzes/{quiz_id}", student, expect=200)
    assert (view["best_score"], view["last_score"], view["attempts_left"]) == (0.6, 0.2, 0)
    # The module goes on after a summative quiz's last attempt, mastered or not.
    assert not await locked(http, server, student, module["id"], reading["id"])

    # Ten simultaneous submissions: the database lets exactly two through.
    racer = course.students[1]
    results = await asyncio.gather(
        *(attempt(http, server, racer, quiz_id, answers(5)) for _ in range(10))
    )
    statuses = sorted(status for status, _ in results)
    assert statuses.count(201) == 2 and statuses.count(409) == 8, statuses


async def test_class_progress_shows_completion_scores_and_struggle(
    http: aiohttp.ClientSession, server: Server
) -> None:
    course, module, unit, reading = await quiz_module(http, server, {"questions": five_questions()})
    one, two = course.students
    quiz_id = unit["quiz_id"]
    await attempt(http, server, one, quiz_id, answers(2))
    await attempt(http, server, one, quiz_id, answers(5))
    await attempt(http, server, two, quiz_id, answers(3))
    await call(http, server, "POST", f"/units/{reading['id']}/opened", one, expect=200)
    status, problem = await call(http, server, "POST", f"/units/{reading['id']}/opened", two)
    assert status == 409 and problem["code"] == "locked"

    _, view = await call(
        http, server, "GET", f"/modules/{module['id']}/class-progress", course.educator, expect=200
    )
    assert view["students"] == 2 and view["module_completed"] == 1
    quiz_row, reading_row = view["units"]
    assert quiz_row["unit_id"] == unit["id"] and reading_row["unit_id"] == reading["id"]
    assert quiz_row["completed"] == 1 and quiz_row["completion_rate"] == 0.5
    assert quiz_row["attempts"] == 3 and quiz_row["students_attempted"] == 2
    assert quiz_row["mean_best_score"] == 0.8  # (1.0 + 0.6) / 2
    assert quiz_row["first_attempt_mastery"] == 0.0 and quiz_row["struggling"] is True
    assert reading_row["completed"] == 1 and reading_row["first_attempt_mastery"] is None
    assert reading_row["struggling"] is False

    await attempt(http, server, two, quiz_id, answers(5))
    _, view = await call(
        http, server, "GET", f"/modules/{module['id']}/class-progress", course.educator
    )
    assert view["units"][0]["completed"] == 2 and view["units"][0]["mean_best_score"] == 1.0
    assert view["units"][0]["first_attempt_mastery"] == 0.0  # still failed first time
