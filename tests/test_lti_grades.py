"""Assignment and Grade Services (portal_api/lti/grades.py): a learner who launched from the LMS
submits a quiz attempt; the submission answers at once, and the score then arrives at the
platform's score endpoint, on a line item the tool made for the quiz, with AGS's fields. A
student who did not come through the LMS sends nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp

from tests.conftest import ADMIN, Server, bearer
from tests.lti_platform import (
    AGS,
    AGS_SCOPES,
    LEARNER,
    browser,
    csrf_header,
    launch_as,
    lms_course,
    running_platform,
)
from tests.module_builder import Course, add_unit, answers, call, five_questions, new_module


async def _attempt(student: aiohttp.ClientSession, server: Server, quiz_id: int, right: int) -> Any:
    """A launched learner's attempt at the quiz, ``right`` of five answers right, as the page
    sends it (session cookie and CSRF header): the recorded attempt."""
    async with student.post(
        server.url(f"/api/v1/quizzes/{quiz_id}/attempts"),
        json={"answers": answers(right)},
        headers=csrf_header(student, server),
    ) as response:
        assert response.status == 201, await response.text()
        return await response.json()


async def test_a_learners_quiz_score_reaches_the_lms_gradebook(server: Server) -> None:
    async with running_platform(server) as platform:
        course_id = await lms_course(platform)
        async with aiohttp.ClientSession() as http:
            admin = await bearer(http, server, *ADMIN)
            course = Course(course_id, admin, [])
            module = await new_module(http, server, course)
            quiz = {"questions": five_questions()}
            unit = await add_unit(
                http, server, course, module["id"], kind="quiz", title="Waves check", quiz=quiz
            )
            quiz_id = unit["quiz_id"]
            # A local student in the same course: no LMS account, so nothing is owed for them.
            await call(
                http,
                server,
                "POST",
                f"/courses/{course_id}/enrolments",
                admin,
                {"username": "student1"},
                201,
            )
            local = await bearer(http, server, "student1")
            await call(
                http,
                server,
                "POST",
                f"/quizzes/{quiz_id}/attempts",
                local,
                {"answers": answers(5)},
                201,
            )

        async with browser() as student:
            await launch_as(student, platform, "s-1", [LEARNER])
            before = datetime.now(UTC)
            assert (await _attempt(student, server, quiz_id, 3))["score"] == 0.6

        for _ in range(150):
            if platform.scores:
                break
            await asyncio.sleep(0.2)
        await asyncio.sleep(2.5)  # a second pass of the loop sends nothing more
        assert len(platform.scores) == 1, platform.scores
        ((item_number, score),) = platform.scores
        item = platform.line_items[item_number]
        assert item["resourceId"] == f"quiz-{quiz_id}" and item["label"] == "Waves check"
        assert item["scoreMaximum"] == 100
        assert score["userId"] == "s-1"
        assert (score["scoreGiven"], score["scoreMaximum"]) == (60.0, 100)
        assert score["activityProgress"] == "Completed"
        assert score["gradingProgress"] == "FullyGraded"
        when = datetime.fromisoformat(score["timestamp"])
        assert before - timedelta(seconds=5) <= when <= datetime.now(UTC)
        scopes = platform.assertions[-1]["scope"].split()
        assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in scopes


async def test_a_score_the_lms_refused_is_sent_again(server: Server) -> None:
    async with running_platform(server) as platform:
        platform.score_failures = 1
        single = {AGS: {"scope": AGS_SCOPES[1:], "lineitem": platform.url("/lineitems/7")}}
        course_id = await lms_course(platform, **single)
        async with aiohttp.ClientSession() as http:
            admin = await bearer(http, server, *ADMIN)
            module = await new_module(http, server, Course(course_id, admin, []))
            unit = await add_unit(
                http,
                server,
                Course(course_id, admin, []),
                module["id"],
                kind="quiz",
                title="Retry check",
                quiz={"questions": five_questions()},
            )
        async with browser() as student:
            await launch_as(student, platform, "s-1", [LEARNER], **single)
            await _attempt(student, server, unit["quiz_id"], 5)
        for _ in range(200):  # refused once, then sent after a 10 s wait
            if platform.scores:
                break
            await asyncio.sleep(0.2)
        assert platform.score_calls == 2
        assert platform.scores == [
            ("7", platform.scores[0][1]),
        ]
        assert platform.scores[0][1]["scoreGiven"] == 100.0
        assert not platform.line_items  # the single line item: none made
