"""Names and Role Provisioning (portal_api/lti/roster.py): an instructor's launch syncs the
course's roster in the background (two pages joined by ``Link: rel=next``, a token got with the
tool's signed client assertion); the educator can sync again on demand; students cannot."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp

from tests.conftest import Server
from tests.lti_platform import (
    INSTRUCTOR,
    LEARNER,
    browser,
    course_of,
    csrf_header,
    launch_as,
    running_platform,
)

NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"


def member(sub: str, role: str, status: str = "Active") -> dict[str, Any]:
    return {"user_id": sub, "roles": [role], "name": f"Member {sub}", "status": status}


async def _course(http: aiohttp.ClientSession, server: Server, course_id: int) -> Any:
    async with http.get(server.url(f"/api/v1/courses/{course_id}")) as response:
        assert response.status == 200, await response.text()
        return await response.json()


async def _sync(
    http: aiohttp.ClientSession, server: Server, course_id: int
) -> tuple[int, str, Any]:
    """Presses "sync the roster" as the launched user of ``http``: the answer's status,
    content type and body (parsed when it is JSON)."""
    async with http.post(
        server.url(f"/api/v1/courses/{course_id}/lti/roster-sync"),
        headers=csrf_header(http, server),
    ) as response:
        text = await response.text()
        body = json.loads(text) if response.content_type.endswith("json") else text
        return response.status, response.content_type, body


async def test_an_instructor_launch_enrols_the_lms_roster(server: Server) -> None:
    async with running_platform(server) as platform, browser() as teacher:
        platform.members = [
            member("t-1", INSTRUCTOR),
            member("s-1", LEARNER),
            member("s-2", LEARNER),
            member("s-3", LEARNER),
            member("gone", LEARNER, status="Inactive"),
        ]
        course_id = course_of(await launch_as(teacher, platform, "t-1", [INSTRUCTOR]))
        for _ in range(150):  # the sync runs after the launch answered
            if (await _course(teacher, server, course_id))["student_count"] == 3:
                break
            await asyncio.sleep(0.2)
        assert (await _course(teacher, server, course_id))["student_count"] == 3
        assert platform.assertions and platform.assertions[0]["scope"] == NRPS_SCOPE

        platform.members.append(member("s-4", LEARNER))
        status, kind, body = await _sync(teacher, server, course_id)
        assert (status, kind) == (200, "application/json"), body
        assert body == {"enrolled": 5, "educators": 1, "skipped": 1}
        assert (await _course(teacher, server, course_id))["student_count"] == 4

        platform.memberships_down = True
        status, kind, problem = await _sync(teacher, server, course_id)
        assert status == 502
        assert kind == "application/problem+json"
        assert "answered 503" in problem["detail"]
        platform.memberships_down = False

        async with browser() as student:  # a synced member's launch is their account
            await launch_as(student, platform, "s-4", [LEARNER])
            assert (await _course(student, server, course_id))["my_role"] == "student"
            assert (await _course(student, server, course_id))["student_count"] == 4
            status, kind, _ = await _sync(student, server, course_id)
            assert status == 403
            assert kind == "application/problem+json"


async def test_syncs_at_once_agree_on_one_account_per_member(server: Server) -> None:
    """The launch's background sync and two clicks of the button, all at once."""
    async with running_platform(server) as platform, browser() as teacher:
        platform.members = [member(f"m-{i}", LEARNER) for i in range(60)]
        course_id = course_of(await launch_as(teacher, platform, "t-1", [INSTRUCTOR]))

        answers = await asyncio.gather(
            _sync(teacher, server, course_id), _sync(teacher, server, course_id)
        )
        expected = (200, "application/json", {"enrolled": 60, "educators": 0, "skipped": 0})
        assert list(answers) == [expected] * 2
        assert (await _course(teacher, server, course_id))["student_count"] == 60
