"""Module authoring in real headless Chromium: an educator adds a reading (with a new repository
link), a library video and a quiz written in the editor, is told what is wrong with the quiz
(by the page, then by the server), finds a video by the library's search, reorders (a stale
order is refused and the page catches up), renames and deletes units, edits the quiz; a
student then gets the feedback the educator wrote. The editor speaks Arabic too."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest
from playwright.async_api import Locator, Page, expect

from tests.conftest import Server
from tests.media import make_clip
from tests.module_builder import add_unit, call, new_course, new_module, ready_video
from tests.test_web_client import browser as shared_browser
from tests.test_web_client import log_in
from tests.test_web_modules import unit_card
from tests.test_web_room import OpenPage
from tests.test_web_room import open_page as shared_open_page

pytestmark = pytest.mark.browser
browser = shared_browser
open_page = shared_open_page


async def signed_in(open_page: OpenPage, server: Server, username: str) -> Page:
    page = await open_page(username)
    await log_in(page, server, username)
    await expect(page.get_by_test_id("user-name")).to_be_visible()
    await page.get_by_test_id("lang-switch").select_option("en")
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    return page


async def titles(page: Page, expected: list[str]) -> None:
    await expect(page.get_by_test_id("unit-list").get_by_test_id("unit-title")).to_have_text(
        expected
    )


async def write_quiz(editor: Locator) -> None:
    """One single-choice question (its right option not marked yet) and one numeric."""
    first = editor.get_by_test_id("editor-question").nth(0)
    await first.get_by_test_id("question-prompt").fill("Which lands first?")
    options = first.get_by_test_id("editor-option")
    await options.nth(0).get_by_test_id("option-text").fill("Both together")
    await options.nth(0).get_by_test_id("option-feedback").fill("FB-RIGHT")
    await options.nth(1).get_by_test_id("option-text").fill("The heavier ball")
    await options.nth(1).get_by_test_id("option-feedback").fill("FB-WRONG")
    await editor.get_by_test_id("question-add").click()
    second = editor.get_by_test_id("editor-question").nth(1)
    await second.get_by_test_id("question-kind").select_option("numeric")
    await expect(second.get_by_test_id("editor-option")).to_have_count(0)
    await second.get_by_test_id("question-prompt").fill("g in m/s²?")
    await second.get_by_test_id("question-answer").fill("9.81")
    await second.get_by_test_id("question-tolerance").fill("0.05")
    await second.get_by_test_id("question-feedback-correct").fill("FB-NUM-OK")
    await second.get_by_test_id("question-feedback-incorrect").fill("FB-NUM-NO")


async def test_an_educator_builds_a_module_a_student_then_takes(
    open_page: OpenPage, server: Server, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    course = await new_course(http, server)
    video = await ready_video(
        http, server, course, make_clip(tmp_path / "clip.mp4", 2).read_bytes()
    )
    module = await new_module(
        http, server, course, title="Projectiles", published=False, sequential=False
    )
    page = await signed_in(open_page, server, "educator")
    await page.goto(server.url(f"/modules/{module['id']}"))
    form = page.get_by_test_id("unit-add-form")

    # A reading on a link the course did not have yet.
    await form.get_by_test_id("unit-add-kind").select_option("reading")
    await form.get_by_test_id("unit-add-title").fill("Read Galileo")
    await expect(form.get_by_test_id("unit-add-resource")).to_have_value("new")
    await form.get_by_test_id("link-title").fill("Two New Sciences")
    await form.get_by_test_id("link-url").fill("ftp://repository.example/galileo")
    await form.get_by_test_id("link-licence").fill("CC0")
    await form.get_by_test_id("unit-add-submit").click()
    await expect(form.get_by_test_id("unit-add-error")).to_contain_text("url: URL scheme")
    await form.get_by_test_id("link-url").fill(server.url("/healthz"))
    await form.get_by_test_id("unit-add-submit").click()
    await titles(page, ["Read Galileo"])
    await expect(unit_card(page, "Read Galileo")).to_contain_text("Licence: CC0")
    await expect(form.get_by_test_id("unit-add-resource")).to_contain_text("Two New Sciences")

    # A video from the course's library.
    await form.get_by_test_id("unit-add-kind").select_option("video")
    await form.get_by_test_id("unit-add-title").fill("Watch the fall")
    await form.get_by_test_id("unit-video-search").fill("nothing-like-this")
    await form.get_by_test_id("unit-video-find").click()
    await expect(form.get_by_test_id("unit-add-video")).to_contain_text("No videos")
    await form.get_by_test_id("unit-video-search").fill("Falling")
    await form.get_by_test_id("unit-video-search").press("Enter")  # searches, adds nothing
    await expect(form.get_by_test_id("unit-add-video").locator("option")).to_have_text(
        ["Falling bodies"]
    )
    await form.get_by_test_id("unit-add-video").select_option(str(video["id"]))
    await form.get_by_test_id("unit-add-submit").click()
    await titles(page, ["Read Galileo", "Watch the fall"])

    # A quiz: the page says what is missing, then the server refuses 500 attempts.
    await form.get_by_test_id("unit-add-kind").select_option("quiz")
    await form.get_by_test_id("unit-add-title").fill("Check g")
    editor = form.get_by_test_id("quiz-editor")
    await write_quiz(editor)
    await form.get_by_test_id("unit-add-submit").click()
    await expect(editor.get_by_test_id("quiz-editor-problem")).to_have_text(
        ["Question 1: mark at least one option correct."]
    )
    first = editor.get_by_test_id("editor-question").nth(0)
    await first.get_by_test_id("editor-option").nth(0).get_by_test_id("option-correct").check()
    await editor.get_by_test_id("quiz-summative").check()
    await editor.get_by_test_id("quiz-max-attempts").fill("500")
    await form.get_by_test_id("unit-add-submit").click()
    await expect(editor.get_by_test_id("quiz-editor-problem")).to_have_count(0)
    await expect(editor.get_by_test_id("quiz-editor-error")).to_contain_text(
        "max_attempts: Input should be less than or equal to 100"
    )
    await editor.get_by_test_id("quiz-formative").check()
    await form.get_by_test_id("unit-add-submit").click()
    await titles(page, ["Read Galileo", "Watch the fall", "Check g"])
    await expect(form.get_by_test_id("quiz-editor-error")).to_be_empty()

    # Reorder, and the order is the server's.
    await unit_card(page, "Check g").get_by_test_id("unit-up").click()
    await titles(page, ["Read Galileo", "Check g", "Watch the fall"])
    await expect(unit_card(page, "Check g").get_by_test_id("unit-up")).to_be_focused()
    await unit_card(page, "Check g").get_by_test_id("unit-up").click()
    await titles(page, ["Check g", "Read Galileo", "Watch the fall"])
    await expect(unit_card(page, "Check g").get_by_test_id("unit-up")).to_be_disabled()
    await page.reload()
    await titles(page, ["Check g", "Read Galileo", "Watch the fall"])

    # Rename; delete only after saying yes.
    await unit_card(page, "Read Galileo").get_by_test_id("unit-rename").click()
    await page.get_by_test_id("unit-rename-input").fill("Read Galileo's dialogue")
    await page.get_by_test_id("unit-rename-save").click()
    await titles(page, ["Check g", "Read Galileo's dialogue", "Watch the fall"])
    watch = unit_card(page, "Watch the fall")
    await watch.get_by_test_id("unit-delete").click()
    await expect(watch.get_by_test_id("unit-delete-no")).to_be_focused()
    await watch.get_by_test_id("unit-delete-no").click()
    await expect(watch.get_by_test_id("unit-delete")).to_be_focused()
    await watch.get_by_test_id("unit-delete").click()
    await watch.get_by_test_id("unit-delete-yes").click()
    await titles(page, ["Check g", "Read Galileo's dialogue"])

    # A unit added behind the page's back: the stale order is refused and the page catches up.
    body = {"kind": "video", "title": "Added elsewhere", "video_id": video["id"], "position": 9}
    await add_unit(http, server, course, module["id"], **body)
    await unit_card(page, "Read Galileo's dialogue").get_by_test_id("unit-up").click()
    await titles(page, ["Check g", "Read Galileo's dialogue", "Added elsewhere"])
    reading = unit_card(page, "Read Galileo's dialogue")
    await expect(reading.get_by_test_id("unit-tools-error")).to_contain_text("missing units")
    await reading.get_by_test_id("unit-up").click()
    await titles(page, ["Read Galileo's dialogue", "Check g", "Added elsewhere"])
    await expect(reading.get_by_test_id("unit-tools-error")).to_be_empty()

    # Edit the quiz: it opens with what was saved.
    await unit_card(page, "Check g").get_by_test_id("unit-edit-quiz").click()
    edit = page.get_by_test_id("quiz-edit")
    first = edit.get_by_test_id("editor-question").nth(0)
    await expect(first.get_by_test_id("question-prompt")).to_have_value("Which lands first?")
    await expect(edit.get_by_test_id("question-answer")).to_have_value("9.81")
    right = first.get_by_test_id("editor-option").nth(0)
    await expect(right.get_by_test_id("option-correct")).to_be_checked()
    await right.get_by_test_id("option-feedback").fill("FB-RIGHT-edited")
    await edit.get_by_test_id("quiz-edit-save").click()
    await expect(edit).to_have_count(0)
    await expect(page.get_by_test_id("unit-editor-status")).to_contain_text("Saved the quiz")

    # The editor in Arabic.
    await page.get_by_test_id("lang-switch").select_option("ar")
    await expect(page.locator("html")).to_have_attribute("lang", "ar")
    await expect(page.get_by_test_id("unit-add-submit")).to_have_text("أضف الجزء")
    await expect(unit_card(page, "Check g").get_by_test_id("unit-up")).to_have_text(
        "نقل إلى الأعلى"
    )
    await unit_card(page, "Check g").get_by_test_id("unit-edit-quiz").click()
    edit = page.get_by_test_id("quiz-edit")
    await expect(edit.get_by_test_id("question-add")).to_have_text("أضف سؤالاً")
    await expect(edit.get_by_test_id("question-kind").first).to_have_value("single")
    await expect(edit.locator("legend").filter(has_text="السؤال 2")).to_have_count(1)
    await edit.get_by_test_id("question-remove").nth(1).click()
    await edit.get_by_test_id("question-remove").nth(0).click()
    await edit.get_by_test_id("quiz-edit-save").click()
    await expect(edit.get_by_test_id("quiz-editor-problem")).to_have_text(
        ["يحتاج الاختبار إلى سؤال واحد على الأقل."]
    )
    await edit.get_by_test_id("quiz-edit-cancel").click()
    await page.get_by_test_id("lang-switch").select_option("en")

    # The student, once the module is published, gets the feedback the educator wrote.
    path = f"/modules/{module['id']}"
    await call(http, server, "PATCH", path, course.educator, {"published": True}, 200)
    student = await signed_in(open_page, server, "student1")
    await student.goto(server.url(path))
    await titles(student, ["Read Galileo's dialogue", "Check g", "Added elsewhere"])
    await unit_card(student, "Check g").get_by_test_id("unit-quiz").click()
    await expect(student.get_by_test_id("unit-tools")).to_have_count(0)
    await student.get_by_test_id("option-q1-a").check()
    await student.get_by_test_id("numeric-answer").fill("9.8")
    await student.get_by_test_id("quiz-submit").click()
    result = student.get_by_test_id("quiz-result")
    await expect(result.get_by_test_id("quiz-score")).to_contain_text("100%")
    await expect(result.get_by_test_id("quiz-feedback")).to_have_text(
        ["FB-RIGHT-edited", "FB-NUM-OK"]
    )
    await student.get_by_test_id("lang-switch").select_option("ar")  # student1 reads Arabic
    await expect(student.locator("html")).to_have_attribute("lang", "ar")
