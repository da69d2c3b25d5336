"""Preview as a student in real headless Chromium: an educator opens a draft module's preview,
sees the later unit locked as a fresh learner would, answers the quiz and reads the feedback,
and nothing is recorded (the class's progress and the attempts stay at zero)."""

from __future__ import annotations

import aiohttp
import pytest
from playwright.async_api import expect

from tests.conftest import Server
from tests.module_builder import add_unit, call, choice, new_course, new_module, numeric
from tests.test_web_client import browser as shared_browser
from tests.test_web_client import log_in
from tests.test_web_modules import answer, unit_card
from tests.test_web_room import OpenPage
from tests.test_web_room import open_page as shared_open_page

pytestmark = pytest.mark.browser
browser = shared_browser  # the session's Chromium fixture, shared with test_web_client
open_page = shared_open_page


async def test_educator_previews_a_draft_as_a_student_and_nothing_is_recorded(
    open_page: OpenPage, server: Server, http: aiohttp.ClientSession
) -> None:
    course = await new_course(http, server)
    module = await new_module(
        http, server, course, title="Projectiles", published=False, mastery_threshold=1.0
    )
    mid = module["id"]
    quiz = {"questions": [choice("pick", "a"), numeric("g", 9.81, 0.05)]}
    unit = await add_unit(http, server, course, mid, kind="quiz", title="Check g", quiz=quiz)
    body = {"title": "Galileo", "kind": "book", "url": server.url("/healthz"), "licence": "CC0"}
    _, resource = await call(
        http, server, "POST", f"/courses/{course.id}/resources", course.educator, body, 201
    )
    await add_unit(
        http,
        server,
        course,
        mid,
        kind="reading",
        title="Read Galileo",
        resource_id=resource["id"],
        position=1,
    )

    page = await open_page("educator")
    await log_in(page, server, "educator")
    await expect(page.get_by_test_id("user-name")).to_be_visible()
    await page.get_by_test_id("lang-switch").select_option("en")
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await page.goto(server.url(f"/modules/{mid}"))
    # The educator's own page never locks a unit.
    await expect(unit_card(page, "Read Galileo")).to_have_attribute("data-state", "not_started")

    await page.get_by_test_id("module-preview-link").click()
    await expect(page).to_have_url(server.url(f"/modules/{mid}/preview"))
    await expect(page.get_by_test_id("preview-banner-text")).to_have_text(
        "Preview: this is what a student sees."
    )
    await expect(page.get_by_test_id("module-title")).to_have_text("Projectiles")
    reading = unit_card(page, "Read Galileo")
    await expect(reading).to_have_attribute("data-state", "locked")
    await expect(reading.get_by_test_id("unit-locked")).to_be_visible()
    await expect(reading.get_by_test_id("unit-read")).to_have_count(0)
    await expect(page.get_by_test_id("module-progress")).to_contain_text("0 of 2")
    # A student's page: no link to preview again, no class progress.
    await expect(page.get_by_test_id("module-preview-link")).to_have_count(0)
    await expect(page.get_by_test_id("class-unit")).to_have_count(0)

    await unit_card(page, "Check g").get_by_test_id("unit-quiz").click()
    await expect(page.get_by_test_id("quiz-preview-note")).to_be_visible()
    await expect(page.get_by_test_id("quiz-question")).to_have_count(2)
    await answer(page, "w", "10")
    result = page.get_by_test_id("quiz-result")
    await expect(result.get_by_test_id("quiz-score")).to_contain_text("0%")
    await expect(result.get_by_test_id("quiz-feedback")).to_have_text(
        ["FB-WRONG-pick", "FB-NUM-NO"]
    )
    await answer(page, "a", "9.8")
    await expect(result.get_by_test_id("quiz-score")).to_contain_text("100%")
    await expect(result.get_by_test_id("quiz-feedback")).to_have_text(
        ["FB-RIGHT-pick", "FB-NUM-OK"]
    )
    # Mastering the quiz in a preview unlocks nothing, now or after a reload.
    await expect(reading).to_have_attribute("data-state", "locked")
    await page.reload()
    await expect(unit_card(page, "Read Galileo")).to_have_attribute("data-state", "locked")

    # Nothing was recorded: no attempt, no progress, for the educator or in the class figures.
    quiz_id = unit["quiz_id"]
    _, attempts = await call(http, server, "GET", f"/quizzes/{quiz_id}/attempts", course.educator)
    assert attempts["total"] == 0
    _, own = await call(http, server, "GET", f"/modules/{mid}/progress", course.educator)
    assert own["completed_units"] == 0 and all(u["attempts"] == 0 for u in own["units"])
    _, figures = await call(http, server, "GET", f"/modules/{mid}/class-progress", course.educator)
    assert figures["module_completed"] == 0
    assert [(u["attempts"], u["completed"]) for u in figures["units"]] == [(0, 0), (0, 0)]

    # In Arabic the banner says the same, right to left; the educator's English is restored.
    await page.get_by_test_id("lang-switch").select_option("ar")
    await expect(page.locator("html")).to_have_attribute("dir", "rtl")
    await expect(page.get_by_test_id("preview-banner-text")).to_have_text(
        "معاينة: هذا ما يراه الطالب."
    )
    await expect(page.get_by_test_id("preview-back")).to_have_text("العودة إلى الوحدة")
    await page.get_by_test_id("lang-switch").select_option("en")
    await expect(page.locator("html")).to_have_attribute("dir", "ltr")
    await page.get_by_test_id("preview-back").click()
    await expect(page).to_have_url(server.url(f"/modules/{mid}"))
    await expect(page.get_by_test_id("module-preview-link")).to_be_visible()
