"""The module page in real headless Chromium: a student finds the module on the course page,
answers its quiz, reads the server's feedback, and sees the next unit unlock; the educator sees
the class's progress."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest
from playwright.async_api import Locator, Page, expect

from tests.conftest import Server
from tests.media import make_clip
from tests.module_builder import (
    add_unit,
    call,
    choice,
    new_course,
    new_module,
    numeric,
    ready_video,
)
from tests.test_web_client import browser as shared_browser
from tests.test_web_client import log_in
from tests.test_web_room import OpenPage
from tests.test_web_room import open_page as shared_open_page

pytestmark = pytest.mark.browser
browser = shared_browser  # the session's Chromium fixture, shared with test_web_client
open_page = shared_open_page


def unit_card(page: Page, title: str) -> Locator:
    return page.get_by_test_id("unit").filter(
        has=page.get_by_test_id("unit-title").get_by_text(title)
    )


async def answer(page: Page, option: str, value: str) -> None:
    await page.get_by_test_id(f"option-pick-{option}").check()
    await page.get_by_test_id("numeric-answer").fill(value)
    await page.get_by_test_id("quiz-submit").click()


async def test_student_masters_a_quiz_and_the_next_unit_opens(
    open_page: OpenPage, server: Server, http: aiohttp.ClientSession
) -> None:
    course = await new_course(http, server)
    module = await new_module(http, server, course, title="Free fall", mastery_threshold=1.0)
    quiz = {"questions": [choice("pick", "a"), numeric("g", 9.81, 0.05)]}
    await add_unit(http, server, course, module["id"], kind="quiz", title="Check g", quiz=quiz)
    # The reading points back at this server: tests stay on the loopback interface.
    body = {"title": "Galileo", "kind": "book", "url": server.url("/healthz"), "licence": "CC0"}
    _, resource = await call(
        http, server, "POST", f"/courses/{course.id}/resources", course.educator, body, 201
    )
    await add_unit(
        http,
        server,
        course,
        module["id"],
        kind="reading",
        title="Read Galileo",
        resource_id=resource["id"],
        position=1,
    )

    student = await open_page("student1")
    await log_in(student, server, "student1")
    await expect(student.get_by_test_id("user-name")).to_be_visible()
    # student1 reads Arabic by default; English first, and Arabic restored at the end.
    await student.get_by_test_id("lang-switch").select_option("en")
    await expect(student.locator("html")).to_have_attribute("lang", "en")
    await student.goto(server.url(f"/courses/{course.id}"))
    await student.get_by_test_id("module-link").filter(has_text="Free fall").click()
    await expect(student.get_by_test_id("module-title")).to_have_text("Free fall")
    reading = unit_card(student, "Read Galileo")
    await expect(reading).to_have_attribute("data-state", "locked")
    await expect(reading.get_by_test_id("unit-read")).to_have_count(0)

    await unit_card(student, "Check g").get_by_test_id("unit-quiz").click()
    await expect(student.get_by_test_id("quiz-question")).to_have_count(2)
    # Nothing in the page the student was sent tells the answer.
    html = await student.content()
    assert "FB-" not in html and "9.81" not in html

    await answer(student, "w", "10")
    result = student.get_by_test_id("quiz-result")
    await expect(result.get_by_test_id("quiz-score")).to_contain_text("0%")
    await expect(result.get_by_test_id("quiz-feedback")).to_have_text(
        ["FB-WRONG-pick", "FB-NUM-NO"]
    )
    await expect(reading).to_have_attribute("data-state", "locked")

    await answer(student, "a", "9.8")
    await expect(result.get_by_test_id("quiz-score")).to_contain_text("100%")
    await expect(result.get_by_test_id("quiz-feedback")).to_have_text(
        ["FB-RIGHT-pick", "FB-NUM-OK"]
    )
    await expect(reading).to_have_attribute("data-state", "not_started")
    await expect(student.get_by_test_id("module-progress")).to_contain_text("1 of 2")

    async with student.context.expect_page() as opened:
        await reading.get_by_test_id("unit-read").click()
    await (await opened.value).close()
    await expect(reading).to_have_attribute("data-state", "completed")
    await student.get_by_test_id("lang-switch").select_option("ar")
    await expect(reading.get_by_test_id("unit-state")).to_have_text("مكتمل")

    educator = await open_page("educator")
    await log_in(educator, server, "educator")
    await expect(educator.get_by_test_id("user-name")).to_be_visible()
    await educator.goto(server.url(f"/modules/{module['id']}"))
    rows = educator.get_by_test_id("class-unit")
    await expect(rows).to_have_count(2)
    await expect(rows.first.get_by_test_id("class-attempts")).to_have_text("2")
    await expect(rows.first.get_by_test_id("class-completed")).to_contain_text("1 (50%)")
    await expect(rows.first.get_by_test_id("class-struggling")).not_to_be_empty()
    await expect(educator.get_by_test_id("class-summary")).to_contain_text("1 of 2")


async def test_anyone_reads_an_open_course_without_logging_in(
    open_page: OpenPage, server: Server, http: aiohttp.ClientSession
) -> None:
    page = await open_page("anonymous")  # a fresh context, never logged in
    course = await new_course(http, server)
    title = f"Open optics {course.id}"
    module = await new_module(http, server, course, title=title, open_course=True, licence="CC BY")
    quiz = {"questions": [choice("pick", "a")]}
    await add_unit(http, server, course, module["id"], kind="quiz", title="Lenses", quiz=quiz)

    await page.goto(server.url("/"))  # the first page leads to the open courses
    await page.get_by_test_id("open-courses-link").click()
    await page.get_by_test_id("open-course-link").filter(has_text=title).click()
    await expect(page.get_by_test_id("open-course-title")).to_have_text(title)
    await expect(page.get_by_text("Licence: CC BY")).to_be_visible()
    await expect(page.get_by_test_id("open-unit")).to_have_count(1)
    await expect(page.get_by_test_id("open-login")).to_be_visible()
    assert "FB-" not in await page.content()
    # Everything else still asks to log in.
    await page.goto(server.url(f"/modules/{module['id']}"))
    await expect(page.locator("#login-form")).to_be_visible()


async def test_an_open_courses_video_plays_without_logging_in(
    open_page: OpenPage, server: Server, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    page = await open_page("anonymous")
    course = await new_course(http, server)
    clip = make_clip(tmp_path / "clip.mp4", 3).read_bytes()
    video = await ready_video(http, server, course, clip)
    module = await new_module(http, server, course, open_course=True, licence="CC BY")
    await add_unit(
        http, server, course, module["id"], kind="video", title="W", video_id=video["id"]
    )
    await page.goto(server.url(f"/open-courses/{module['id']}"))
    await page.get_by_test_id("open-watch").click()
    player = page.get_by_test_id("open-video").get_by_test_id("player")
    await expect(player).to_be_visible()
    played = await player.evaluate(
        "async v => { v.muted = true; await v.play(); const t0 = v.currentTime;"
        " await new Promise(r => setTimeout(r, 1500)); return [t0, v.currentTime, v.videoWidth]; }"
    )
    assert played[1] > played[0] + 0.5 and played[2] > 0, played
