"""The tool's routes (portal_api/lti/routes.py) driven by a simulated platform through its own
authorisation endpoint: an instructor and a learner launched into the right page with the right
role, the context mapped to one course, and the tool's JWKS published."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp

from tests.conftest import ADMIN, Server, bearer
from tests.lti_platform import (
    INSTRUCTOR,
    LEARNER,
    LTI,
    browser,
    course_of,
    launch_as,
    lms_course,
    new_lecture,
    register,
    running_platform,
)
from tests.media import make_clip
from tests.module_builder import Course, ready_video

ADMIN_ROLE = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"


async def _get(http: aiohttp.ClientSession, server: Server, path: str) -> Any:
    async with http.get(server.url(path)) as response:
        assert response.status == 200, await response.text()
        return await response.json()


async def test_instructor_and_learner_land_in_their_course_with_their_roles(
    server: Server,
) -> None:
    async with running_platform(server) as platform:
        async with browser() as teacher:
            entered = await launch_as(teacher, platform, "t-1", [INSTRUCTOR], name="Dr Teacher")
            assert entered.status == 302, await entered.text()
            course_path = entered.headers["Location"]
            assert course_path.startswith("/courses/")
            course_id = course_of(entered)
            me = await _get(teacher, server, "/api/v1/me")
            assert (me["role"], me["display_name"]) == ("educator", "Dr Teacher")
            course = await _get(teacher, server, course_path.replace("/courses", "/api/v1/courses"))
            assert (course["my_role"], course["title"]) == ("educator", "Physics 101 (LMS)")

        lecture_id = await new_lecture(server, course_id, "Waves")
        async with browser() as student:
            custom = {LTI + "custom": {"lecture_id": str(lecture_id)}}
            entered = await launch_as(student, platform, "s-1", [LEARNER], **custom)
            assert entered.status == 302, await entered.text()
            assert entered.headers["Location"] == f"/lectures/{lecture_id}"
            me = await _get(student, server, "/api/v1/me")
            assert me["role"] == "student"
            course = await _get(student, server, f"/api/v1/courses/{course_id}")
            assert course["my_role"] == "student"
            lecture = await _get(student, server, f"/api/v1/lectures/{lecture_id}")
            assert lecture["title"] == "Waves"

        async with browser() as again:  # the same person again: the same account
            target = {LTI + "target_link_uri": server.url(f"/lectures/{lecture_id}")}
            entered = await launch_as(again, platform, "s-1", [LEARNER], **target)
            assert entered.headers["Location"] == f"/lectures/{lecture_id}"
            assert (await _get(again, server, "/api/v1/me"))["id"] == me["id"]


async def test_a_platform_registered_again_finds_its_people_and_courses(server: Server) -> None:
    async with running_platform(server) as platform:
        async with browser() as teacher:
            first = await launch_as(teacher, platform, "t-1", [INSTRUCTOR])
            me = await _get(teacher, server, "/api/v1/me")
        async with aiohttp.ClientSession() as http:
            admin = await bearer(http, server, *ADMIN)
            path = f"/api/v1/admin/lti/platforms/{platform.platform_id}"
            async with http.delete(server.url(path), headers=admin) as response:
                assert response.status == 204
        platform.client_id = "a-new-client-id"
        await register(platform)
        async with browser() as teacher:
            again = await launch_as(teacher, platform, "t-1", [INSTRUCTOR])
            assert again.headers["Location"] == first.headers["Location"]
            assert (await _get(teacher, server, "/api/v1/me"))["id"] == me["id"]


async def test_a_link_to_a_video_opens_the_player(server: Server, tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "clip.mp4", 2).read_bytes()
    async with running_platform(server) as platform:
        course_id = await lms_course(platform)
        async with aiohttp.ClientSession() as http:
            admin = await bearer(http, server, *ADMIN)
            video = await ready_video(http, server, Course(course_id, admin, []), clip)
        async with browser() as student:
            custom = {LTI + "custom": {"video_id": str(video["id"])}}
            entered = await launch_as(student, platform, "s-1", [LEARNER], **custom)
            assert entered.headers["Location"] == f"/videos/{video['id']}"
            watched = await _get(student, server, f"/api/v1/videos/{video['id']}")
            assert watched["title"] == "Falling bodies"


async def test_an_administrator_is_an_educator_and_foreign_targets_open_the_course(
    server: Server,
) -> None:
    async with running_platform(server) as platform, running_platform(server) as other:
        async with browser() as http:
            await launch_as(http, other, "t-9", [INSTRUCTOR])
            other_course = int((await _get(http, server, "/api/v1/courses"))["items"][0]["id"])
        foreign = await new_lecture(server, other_course, "Another LMS's lecture")
        async with browser() as http:
            custom = {LTI + "custom": {"lecture_id": str(foreign)}}
            entered = await launch_as(http, platform, "adm-1", [ADMIN_ROLE], **custom)
            assert entered.status == 302
            assert entered.headers["Location"].startswith("/courses/")
            course_id = course_of(entered)
            assert course_id != other_course
            course = await _get(http, server, f"/api/v1/courses/{course_id}")
            assert course["my_role"] == "educator"
