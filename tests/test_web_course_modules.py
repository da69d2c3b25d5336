"""Module authoring on the course page in real headless Chromium: an educator creates modules
through the form (the browser checks bounds, the server's validation message shows next to the
form), edits one in place, reorders them (the order survives a reload), deletes one after an
inline confirmation, and publishes one as an open course with a licence, which the public
open-courses page then shows; a student of the course sees a module only once it is published."""

from __future__ import annotations

import aiohttp
import pytest
from playwright.async_api import Locator, Page, expect

from tests.conftest import Server
from tests.module_builder import call, new_course
from tests.test_web_client import browser as shared_browser
from tests.test_web_client import log_in
from tests.test_web_room import OpenPage
from tests.test_web_room import open_page as shared_open_page

pytestmark = pytest.mark.browser
browser = shared_browser  # the session's Chromium fixture, shared with test_web_client
open_page = shared_open_page


def card(page: Page, title: str) -> Locator:
    return page.get_by_test_id("module-card").filter(
        has=page.get_by_test_id("module-link").get_by_text(title, exact=True)
    )


async def create(page: Page, title: str, percent: str, free: bool = False) -> None:
    form = page.get_by_test_id("module-new-form")
    await form.get_by_label("Title").fill(title)
    await form.get_by_label("Description").fill(f"About {title}")
    await form.get_by_label("Order of the units").select_option("free" if free else "sequential")
    await form.get_by_label("Mastery threshold (%)").fill(percent)
    await form.get_by_test_id("module-save").click()


async def test_educator_authors_modules_on_the_course_page(
    open_page: OpenPage, server: Server, http: aiohttp.ClientSession
) -> None:
    course = await new_course(http, server)
    vectors, forces = f"Vectors {course.id}", f"Forces {course.id}"
    page = await open_page("educator")
    await log_in(page, server, "educator")
    await expect(page.get_by_test_id("user-name")).to_be_visible()
    await page.goto(server.url(f"/courses/{course.id}"))
    form = page.get_by_test_id("module-new-form")

    # The browser refuses a threshold over 100%; the server refuses an open course without a
    # licence, and says so next to the form.
    threshold = form.get_by_label("Mastery threshold (%)")
    await threshold.fill("150")
    assert await threshold.evaluate("input => input.validity.rangeOverflow")
    await form.get_by_test_id("module-open-course").check()
    await create(page, vectors, "70", free=True)
    await expect(form.get_by_test_id("module-form-error")).to_contain_text(
        "an open course needs a licence"
    )
    await expect(page.get_by_test_id("module-card")).to_have_count(0)
    await form.get_by_test_id("module-open-course").uncheck()
    await form.get_by_test_id("module-save").click()
    await expect(card(page, vectors).get_by_test_id("module-draft")).to_be_visible()
    await expect(form.get_by_test_id("module-form-error")).to_be_empty()
    await expect(form.get_by_label("Title")).to_have_value("")  # ready for the next one
    await create(page, forces, "80")
    await expect(page.get_by_test_id("module-link")).to_have_text([vectors, forces])

    # A student of the course does not see drafts.
    student = await open_page("student1")
    await log_in(student, server, "student1")
    await expect(student.get_by_test_id("user-name")).to_be_visible()
    await student.goto(server.url(f"/courses/{course.id}"))
    await expect(student.get_by_test_id("module-list")).to_be_visible()
    await expect(student.get_by_test_id("module-link")).to_have_count(0)
    await expect(student.get_by_test_id("module-new-form")).to_have_count(0)

    # Editing in place: the form comes filled in with the module's settings.
    await card(page, vectors).get_by_test_id("module-edit").click()
    edit = card(page, vectors).get_by_test_id("module-edit-form")
    await expect(edit.get_by_label("Title")).to_be_focused()
    await expect(edit.get_by_label("Title")).to_have_value(vectors)
    await expect(edit.get_by_label("Mastery threshold (%)")).to_have_value("70")
    await expect(edit.get_by_label("Order of the units")).to_have_value("free")
    vectors = f"Vectors and scalars {course.id}"
    await edit.get_by_label("Title").fill(vectors)
    await edit.get_by_label("Mastery threshold (%)").fill("90")
    await edit.get_by_test_id("module-save").click()
    await expect(card(page, vectors)).to_be_visible()
    await expect(page.get_by_test_id("module-edit-form")).to_have_count(0)
    _, listed = await call(
        http, server, "GET", f"/courses/{course.id}/modules", course.educator, expect=200
    )
    saved = next(m for m in listed["items"] if m["title"] == vectors)
    assert saved["mastery_threshold"] == pytest.approx(0.9) and saved["sequential"] is False

    # Reordering with the buttons; the focus stays with the moved module; a reload keeps it.
    await expect(card(page, vectors).get_by_test_id("module-up")).to_be_disabled()
    await page.get_by_role("button", name=f"Move up: {forces}").click()
    await expect(page.get_by_test_id("module-link")).to_have_text([forces, vectors])
    await expect(card(page, forces).get_by_test_id("module-down")).to_be_focused()
    await expect(page.get_by_test_id("module-announce")).to_contain_text("module 1 of 2")
    await page.reload()
    await expect(page.get_by_test_id("module-link")).to_have_text([forces, vectors])

    # Opening to everyone needs a licence (the server says so), then publishing.
    await card(page, vectors).get_by_test_id("module-edit").click()
    edit = card(page, vectors).get_by_test_id("module-edit-form")
    await edit.get_by_test_id("module-open-course").check()
    await edit.get_by_test_id("module-save").click()
    await expect(edit.get_by_test_id("module-form-error")).to_contain_text(
        "an open course needs a licence"
    )
    await edit.get_by_label("Licence", exact=True).select_option("CC BY-SA 4.0")
    await edit.get_by_test_id("module-save").click()
    await expect(card(page, vectors).get_by_test_id("module-licence-badge")).to_have_text(
        "CC BY-SA 4.0"
    )
    await expect(card(page, vectors).get_by_test_id("module-draft")).to_be_visible()
    await card(page, vectors).get_by_test_id("module-publish").click()
    await expect(card(page, vectors).get_by_test_id("module-draft")).to_have_count(0)
    await expect(card(page, vectors).get_by_test_id("module-publish")).to_have_text("Unpublish")

    await student.reload()
    await expect(student.get_by_test_id("module-link")).to_have_text([vectors])

    # The public page lists it with its licence, for anyone.
    visitor = await open_page("anonymous")
    await visitor.goto(server.url("/open-courses"))
    open_card = visitor.get_by_test_id("open-course-card").filter(has_text=vectors)
    await expect(open_card).to_contain_text("CC BY-SA 4.0")
    await open_card.get_by_test_id("open-course-link").click()
    await expect(visitor.get_by_test_id("open-course-title")).to_have_text(vectors)
    await expect(visitor.get_by_text("Licence: CC BY-SA 4.0")).to_be_visible()

    # Deleting asks first, inline.
    await card(page, forces).get_by_test_id("module-delete").click()
    await expect(card(page, forces).get_by_test_id("module-delete-question")).to_contain_text(
        forces
    )
    await card(page, forces).get_by_test_id("module-delete-cancel").click()
    await expect(card(page, forces).get_by_test_id("module-delete")).to_be_focused()
    await card(page, forces).get_by_test_id("module-delete").click()
    await card(page, forces).get_by_test_id("module-delete-confirm").click()
    await expect(page.get_by_test_id("module-link")).to_have_text([vectors])
    await page.reload()
    await expect(page.get_by_test_id("module-link")).to_have_text([vectors])


async def test_module_form_speaks_arabic(
    open_page: OpenPage, server: Server, http: aiohttp.ClientSession
) -> None:
    course = await new_course(http, server)
    page = await open_page("educator")
    await log_in(page, server, "educator")
    await expect(page.get_by_test_id("user-name")).to_be_visible()
    await page.goto(server.url(f"/courses/{course.id}"))
    await page.get_by_test_id("lang-switch").select_option("ar")
    try:
        await expect(page.locator("html")).to_have_attribute("dir", "rtl")
        form = page.get_by_test_id("module-new-form")
        await expect(form.get_by_role("heading")).to_have_text("وحدة جديدة")
        await expect(form.get_by_label("العنوان")).to_be_visible()
        await expect(form.get_by_label("حد الإتقان (%)")).to_be_visible()
        await expect(form.get_by_label("ترتيب الأجزاء")).to_be_visible()
        await expect(form.get_by_label("الترخيص", exact=True)).to_be_visible()
        await expect(form.get_by_test_id("module-save")).to_have_text("أنشئ الوحدة")
        # A licence outside the list is typed in.
        await form.get_by_label("العنوان").fill(f"المتجهات {course.id}")
        other = form.get_by_test_id("module-licence-other")
        await expect(other).to_be_hidden()
        await form.get_by_label("الترخيص", exact=True).select_option("other")
        await expect(other).to_be_focused()
        await other.fill("GFDL 1.3")
        await form.get_by_test_id("module-open-course").check()
        await form.get_by_test_id("module-save").click()
        await expect(page.get_by_test_id("module-draft")).to_have_text("مسودة")
        await expect(page.get_by_test_id("module-licence-badge")).to_have_text("GFDL 1.3")
        await expect(page.get_by_test_id("module-up")).to_have_text("انقل إلى الأعلى")
        await expect(other).to_be_hidden()  # the emptied form hides it again
        await page.get_by_test_id("module-edit").click()
        edit = page.get_by_test_id("module-edit-form")
        await expect(edit.get_by_label("الترخيص", exact=True)).to_have_value("other")
        await expect(edit.get_by_test_id("module-licence-other")).to_have_value("GFDL 1.3")
    finally:
        await page.get_by_test_id("lang-switch").select_option("en")
        await expect(page.locator("html")).to_have_attribute("dir", "ltr")
