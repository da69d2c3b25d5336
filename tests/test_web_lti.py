"""LTI launches in real headless Chromium: a learner clicks the activity in the (simulated) LMS,
the browser goes through the OIDC login and the auto-posted id_token, and lands in the lecture's
live room, logged in as the LMS's user; an instructor lands on the course page and syncs the
LMS's roster with its button."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, expect

from tests.conftest import Server
from tests.lti_platform import INSTRUCTOR, LEARNER, LTI, lms_course, new_lecture, running_platform
from tests.test_web_client import browser as shared_browser

pytestmark = pytest.mark.browser
chromium = shared_browser  # the session's Chromium fixture, shared with test_web_client


async def test_a_learner_launched_from_the_lms_lands_in_the_live_lecture(
    chromium: Browser, server: Server
) -> None:
    async with running_platform(server) as platform:
        course_id = await lms_course(platform)
        title = f"Launched from the LMS {server.extra['database']}"
        lecture_id = await new_lecture(server, course_id, title, start=True)

        platform.pending["learner"] = {
            "sub": "s-browser",
            "roles": [LEARNER],
            "name": "Huda Learner",
            LTI + "custom": {"lecture_id": str(lecture_id)},
        }
        context = await chromium.new_context(locale="en-US")
        errors: list[str] = []
        try:
            page = await context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            await page.goto(platform.url("/start?hint=learner"))
            await expect(page).to_have_url(server.url(f"/lectures/{lecture_id}"), timeout=30_000)
            await expect(page.get_by_test_id("room-title")).to_have_text(title, timeout=30_000)
            await expect(page.get_by_test_id("user-name")).to_have_text("Huda Learner")
            await expect(page.get_by_test_id("roster")).to_contain_text("Huda Learner")
        finally:
            await context.close()
        assert errors == [], errors


async def test_an_instructor_syncs_the_roster_from_the_course_page(
    chromium: Browser, server: Server
) -> None:
    async with running_platform(server) as platform:
        platform.members = [
            {"user_id": "t-web", "roles": [INSTRUCTOR], "name": "Dr Web"},
            {"user_id": "s-a", "roles": [LEARNER], "name": "Student A"},
            {"user_id": "s-b", "roles": [LEARNER], "name": "Student B"},
        ]
        platform.pending["teacher"] = {"sub": "t-web", "roles": [INSTRUCTOR], "name": "Dr Web"}
        context = await chromium.new_context(locale="en-US")
        errors: list[str] = []
        try:
            page = await context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            await page.goto(platform.url("/start?hint=teacher"))
            await expect(page.get_by_test_id("course-title")).to_have_text(
                "Physics 101 (LMS)", timeout=30_000
            )
            card = page.get_by_test_id("lms-link")
            await expect(card).to_contain_text("go to its gradebook")
            await card.get_by_test_id("lms-sync").click()
            await expect(page.get_by_test_id("lms-sync-error")).to_have_text("")
            await expect(page.get_by_test_id("lms-sync-result")).to_have_text(
                "3 people from the LMS are enrolled (educators among them: 1).", timeout=20_000
            )
        finally:
            await context.close()
        assert errors == [], errors
