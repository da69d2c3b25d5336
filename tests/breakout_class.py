"""A class of students of a test's own for breakout tests: fresh accounts enrolled in the demo
course (the demo has three students; a split into groups wants more)."""

from __future__ import annotations

import aiohttp

from tests.accounts import new_user
from tests.conftest import Server, bearer
from tests.room_client import Participant, demo_course_id, join_token


async def enrolled_students(
    http: aiohttp.ClientSession, server: Server, count: int
) -> list[tuple[str, str]]:
    """``count`` new students of the demo course: (username, password) each."""
    headers = await bearer(http, server, "educator")
    course_id = await demo_course_id(http, server)
    made = []
    for _ in range(count):
        username, password, _id = await new_user(http, server)
        url = server.url(f"/api/v1/courses/{course_id}/enrolments")
        body = {"username": username, "role": "student"}
        async with http.post(url, json=body, headers=headers) as response:
            assert response.status == 201, await response.text()
        made.append((username, password))
    return made


async def join_as(
    http: aiohttp.ClientSession, server: Server, lecture_id: int, login: tuple[str, str]
) -> Participant:
    """Joins ``lecture_id`` as a test's own account."""
    participant = Participant(login[0])
    headers = await bearer(http, server, *login)
    async with http.post(
        server.url(f"/api/v1/lectures/{lecture_id}/join"), headers=headers
    ) as response:
        assert response.status == 200, await response.text()
        token = (await response.json())["token"]
    await participant.connect(server, token)
    return participant


async def join_refused(
    http: aiohttp.ClientSession, server: Server, lecture_id: int, login: tuple[str, str]
) -> dict[str, object]:
    """The problem the join route answers a refused user with."""
    headers = await bearer(http, server, *login)
    async with http.post(
        server.url(f"/api/v1/lectures/{lecture_id}/join"), headers=headers
    ) as response:
        assert response.status >= 400, await response.text()
        problem: dict[str, object] = await response.json()
        problem["status"] = response.status
    return problem


__all__ = ["join_token"]
