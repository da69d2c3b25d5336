"""The live lecture room in real headless Chromium: an educator and two students, each in a
browser context of their own, go through slides, drawing, chat, hands, a poll and a removal."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import aiohttp
import pytest
from playwright.async_api import Browser, FilePayload, Page, expect

from tests.conftest import Server, bearer
from tests.documents import make_pdf
from tests.test_web_client import browser as shared_browser
from tests.test_web_client import log_in

pytestmark = pytest.mark.browser
browser = shared_browser  # the session's Chromium fixture, shared with test_web_client

EDUCATOR_NAME = "Dr. Amal Haddad"
DECK_READY_MS = 60_000

OpenPage = Callable[[str], Awaitable[Page]]


async def create_lecture(
    http: aiohttp.ClientSession, server: Server, title: str, start: bool = True
) -> int:
    headers = await bearer(http, server, "educator")
    async with http.get(server.url("/api/v1/courses"), headers=headers) as response:
        courses = (await response.json())["items"]
    course_id = next(c["id"] for c in courses if c["code"] == "OL101")
    body = {"title": title, "scheduled_start": datetime.now(UTC).isoformat()}
    async with http.post(
        server.url(f"/api/v1/courses/{course_id}/lectures"), json=body, headers=headers
    ) as response:
        assert response.status == 201, await response.text()
        lecture_id = int((await response.json())["id"])
    if start:
        await start_lecture(http, server, lecture_id)
    return lecture_id


async def start_lecture(http: aiohttp.ClientSession, server: Server, lecture_id: int) -> None:
    headers = await bearer(http, server, "educator")
    async with http.post(
        server.url(f"/api/v1/lectures/{lecture_id}/start"), headers=headers
    ) as response:
        assert response.status == 200, await response.text()


async def user_id(http: aiohttp.ClientSession, server: Server, username: str) -> int:
    headers = await bearer(http, server, username)
    async with http.get(server.url("/api/v1/me"), headers=headers) as response:
        return int((await response.json())["id"])


@pytest.fixture
async def open_page(browser: Browser) -> AsyncIterator[OpenPage]:
    """Logs a user in, in a context of their own; no page may raise a script error."""
    contexts, errors = [], []

    async def open_as(username: str) -> Page:
        context = await browser.new_context(locale="en-US")
        contexts.append(context)
        page = await context.new_page()
        page.on("pageerror", lambda exc: errors.append(f"{username}: {exc}"))
        return page

    yield open_as
    for context in contexts:
        await context.close()
    assert errors == [], f"script errors in the pages: {errors}"


async def enter_room(page: Page, server: Server, username: str, lecture_id: int) -> None:
    await log_in(page, server, username)
    await expect(page.get_by_test_id("user-name")).to_be_visible()
    await page.goto(server.url(f"/lectures/{lecture_id}"))


async def wait_until_live(page: Page) -> None:
    await expect(page.get_by_test_id("roster")).to_be_visible()
    await expect(page.get_by_test_id("connection-banner")).to_be_hidden()


async def draw_rectangle(page: Page) -> None:
    await page.get_by_test_id("tool-rectangle").click()
    box = await page.get_by_test_id("slide-canvas").bounding_box()
    assert box is not None
    await page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.3)
    await page.mouse.down()
    await page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.6, steps=4)
    await page.mouse.up()


async def test_educator_and_students_in_the_live_room(
    open_page: OpenPage, server: Server, http: aiohttp.ClientSession
) -> None:
    title = f"Live room {server.extra['database']}"
    lecture_id = await create_lecture(http, server, title)
    student1_id = await user_id(http, server, "student1")
    student2_id = await user_id(http, server, "student2")
    edu, s1, s2 = [await open_page(name) for name in ("educator", "student1", "student2")]

    await enter_room(edu, server, "educator", lecture_id)
    await wait_until_live(edu)
    await expect(edu.get_by_test_id("room-title")).to_have_text(title)
    for page, name in ((s1, "student1"), (s2, "student2")):
        await enter_room(page, server, name, lecture_id)
        await wait_until_live(page)
    await expect(edu.get_by_test_id("roster-item")).to_have_count(3)
    await expect(s1.get_by_test_id("page-next")).to_be_hidden()

    # Slides: upload, processing, then the educator's page turn reaches the students.
    pdf = make_pdf(["Page 1", "Page 2", "Page 3"])
    upload = FilePayload(name="week1.pdf", mimeType="application/pdf", buffer=pdf)
    await edu.get_by_test_id("deck-upload").set_input_files(files=upload)
    progress = edu.get_by_test_id("deck-progress")
    await expect(progress).to_have_attribute("data-status", "ready", timeout=DECK_READY_MS)
    await expect(edu.get_by_test_id("page-indicator")).to_have_text("1 / 3")
    deck_id = await edu.get_by_test_id("slide-image").get_attribute("data-deck")
    await edu.get_by_test_id("page-next").click()
    await expect(edu.get_by_test_id("page-indicator")).to_have_text("2 / 3")
    for page in (s1, s2):
        image = page.get_by_test_id("slide-image")
        await expect(image).to_have_attribute("data-deck", deck_id or "")
        await expect(image).to_have_attribute("data-page", "2")
        await expect(page.get_by_test_id("page-indicator")).to_have_text("2 / 3")
        await expect(image).to_have_js_property("complete", True)
        assert await image.evaluate("img => img.naturalWidth") > 0

    # Drawing: a rectangle dragged on the educator's canvas appears for the students.
    await draw_rectangle(edu)
    for page in (edu, s1, s2):
        await expect(page.get_by_test_id("annotation-count")).to_have_text("1")

    # Chat: public to all; a student's private message reaches the educator only.
    await edu.get_by_test_id("chat-input").fill("Welcome, everyone")
    await edu.get_by_test_id("chat-send").click()
    for page in (s1, s2):
        welcome = page.get_by_test_id("chat-message").filter(has_text="Welcome, everyone")
        await expect(welcome).to_have_attribute("data-private", "false")
    await s1.get_by_test_id("chat-to").select_option(label=EDUCATOR_NAME)
    await s1.get_by_test_id("chat-input").fill("A private question")
    await s1.get_by_test_id("chat-send").click()
    private = edu.get_by_test_id("chat-message").filter(has_text="A private question")
    await expect(private).to_have_attribute("data-private", "true")
    await s1.get_by_test_id("chat-to").select_option("")
    await s1.get_by_test_id("chat-input").fill("Thank you")
    await s1.get_by_test_id("chat-send").click()
    await expect(s2.get_by_test_id("chat-message").filter(has_text="Thank you")).to_be_visible()
    await expect(
        s2.get_by_test_id("chat-message").filter(has_text="A private question")
    ).to_have_count(0)

    # Hands: student1 raises, the educator sees the queue and lowers it.
    await s1.get_by_test_id("hand-raise").click()
    await expect(s1.get_by_test_id("hand-lower")).to_be_visible()
    hand = edu.locator(f"[data-testid=hand-item][data-user-id='{student1_id}']")
    await expect(hand).to_be_visible()
    await hand.get_by_test_id("hand-lower").click()
    for page in (edu, s1, s2):
        await expect(page.get_by_test_id("hand-item")).to_have_count(0)
    await expect(s1.get_by_test_id("hand-raise")).to_be_visible()

    # Poll: three options, one vote each for the first two, counts, then published results.
    await edu.get_by_test_id("poll-question").fill("Which colour?")
    await edu.get_by_test_id("poll-add-option").click()
    options = edu.get_by_test_id("poll-option")
    for i, text in enumerate(("Red", "Blue", "Green")):
        await options.nth(i).fill(text)
    await edu.get_by_test_id("poll-open").click()
    for page, choice in ((s1, "0"), (s2, "1")):
        await expect(page.get_by_test_id("poll-vote-option")).to_have_count(3)
        await page.locator(f"[data-testid=poll-vote-option][value='{choice}']").check()
        await page.get_by_test_id("poll-vote").click()
        await expect(page.get_by_test_id("poll-vote")).to_have_count(0)
        await expect(page.get_by_test_id("poll-count")).to_have_count(0)
    await expect(edu.get_by_test_id("poll-count")).to_have_text(["1", "1", "0"])
    await edu.get_by_test_id("poll-publish").click()
    for page in (s1, s2):
        await expect(page.get_by_test_id("poll-count")).to_have_text(["1", "1", "0"])

    # Removal: student2 is told, leaves the roster, and cannot come back.
    edu.once("dialog", lambda dialog: dialog.accept())
    target = edu.locator(f"[data-testid=roster-item][data-user-id='{student2_id}']")
    await target.get_by_test_id("remove-participant").click()
    await expect(s2.get_by_test_id("removed-notice")).to_be_visible()
    await expect(edu.get_by_test_id("roster-item")).to_have_count(2)
    await s2.reload()
    await expect(s2.get_by_test_id("removed-notice")).to_be_visible()
    await expect(s2.get_by_test_id("roster")).to_have_count(0)


async def test_the_educators_controls_reach_the_student(
    open_page: OpenPage, server: Server, http: aiohttp.ClientSession
) -> None:
    """Chat as text and its moderation, the annotation lock, undo and clear, a presenter,
    thumbnails, the deck picker and mute, each seen from the student's page."""
    lecture_id = await create_lecture(http, server, "Controls")
    student_id = await user_id(http, server, "student1")
    edu, student = [await open_page(name) for name in ("educator", "student1")]
    for page, name in ((edu, "educator"), (student, "student1")):
        await enter_room(page, server, name, lecture_id)
        await wait_until_live(page)

    # Chat is text, never markup; the educator deletes a message and locks public chat.
    markup = '<b>bold</b> <img src=x onerror="window.pwned=1">'
    await student.get_by_test_id("chat-input").fill(markup)
    await student.get_by_test_id("chat-send").click()
    shown = edu.get_by_test_id("chat-message").filter(has_text="<b>bold</b>")
    await expect(shown.locator(".chat-text")).to_have_text(markup)
    assert await edu.locator("[data-testid=chat-list] b, [data-testid=chat-list] img").count() == 0
    assert await edu.evaluate("window.pwned") is None
    await shown.get_by_test_id("chat-delete").click()
    await expect(student.get_by_test_id("chat-message")).to_have_count(0)
    await edu.get_by_test_id("lock-chat").click()
    await expect(student.get_by_test_id("chat-locked")).to_be_visible()
    await expect(student.get_by_test_id("chat-to").locator("option[value='']")).to_be_disabled()
    await edu.get_by_test_id("lock-chat").click()
    await expect(student.get_by_test_id("chat-locked")).to_be_hidden()

    # Annotations: locked for students until the educator allows them; undo and clear.
    await expect(student.get_by_test_id("annotations-locked")).to_be_visible()
    await expect(student.get_by_test_id("tool-rectangle")).to_be_hidden()
    await edu.get_by_test_id("lock-annotations").click()
    await expect(student.get_by_test_id("annotations-locked")).to_be_hidden()
    await draw_rectangle(student)
    await expect(edu.get_by_test_id("annotation-count")).to_have_text("1")
    await student.get_by_test_id("tool-undo").click()
    await expect(edu.get_by_test_id("annotation-count")).to_have_text("0")
    await draw_rectangle(edu)
    await draw_rectangle(student)
    await expect(student.get_by_test_id("annotation-count")).to_have_text("2")
    await edu.get_by_test_id("tool-clear").click()
    await expect(student.get_by_test_id("annotation-count")).to_have_text("0")

    # A presenter turns pages; the educator jumps back by thumbnail, then picks the whiteboard.
    pdf = make_pdf(["One", "Two"])
    upload = FilePayload(name="two.pdf", mimeType="application/pdf", buffer=pdf)
    await edu.get_by_test_id("deck-upload").set_input_files(files=upload)
    progress = edu.get_by_test_id("deck-progress")
    await expect(progress).to_have_attribute("data-status", "ready", timeout=DECK_READY_MS)
    await expect(student.get_by_test_id("page-next")).to_be_hidden()
    moderation = edu.locator(f"[data-testid=roster-item][data-user-id='{student_id}']")
    await moderation.get_by_test_id("make-presenter").click()
    await student.get_by_test_id("page-next").click()
    await expect(edu.get_by_test_id("page-indicator")).to_have_text("2 / 2")
    await edu.get_by_test_id("page-thumbs").locator("button").first.click()
    await expect(student.get_by_test_id("page-indicator")).to_have_text("1 / 2")
    await moderation.get_by_test_id("make-presenter").click()
    await expect(student.get_by_test_id("page-next")).to_be_hidden()
    await edu.get_by_test_id("deck-picker").select_option(label="Whiteboard")
    await expect(student.get_by_test_id("slide-image")).to_be_hidden()

    # Mute is state the student sees.
    await moderation.get_by_test_id("mute-participant").click()
    await expect(student.get_by_test_id("you-muted")).to_be_visible()


async def test_the_educator_lowers_every_hand_and_mutes_every_student_at_once(
    open_page: OpenPage, server: Server, http: aiohttp.ClientSession
) -> None:
    lecture_id = await create_lecture(http, server, "Everyone at once")
    edu, s1, s2 = [await open_page(name) for name in ("educator", "student1", "student2")]
    for page, name in ((edu, "educator"), (s1, "student1"), (s2, "student2")):
        await enter_room(page, server, name, lecture_id)
        await wait_until_live(page)
    await expect(edu.get_by_test_id("hand-lower-all")).to_be_hidden()
    for student in (s1, s2):
        await expect(student.get_by_test_id("mute-all")).to_be_hidden()
        await student.get_by_test_id("hand-raise").click()
    await expect(edu.get_by_test_id("hand-item")).to_have_count(2)
    await edu.get_by_test_id("hand-lower-all").click()
    for page in (edu, s1, s2):
        await expect(page.get_by_test_id("hand-item")).to_have_count(0)
    for student in (s1, s2):
        await expect(student.get_by_test_id("hand-raise")).to_be_visible()

    await expect(edu.get_by_test_id("unmute-all")).to_be_hidden()
    await edu.get_by_test_id("mute-all").click()
    for student in (s1, s2):
        await expect(student.get_by_test_id("you-muted")).to_be_visible()
    await expect(edu.get_by_test_id("mute-all")).to_be_hidden()
    await edu.get_by_test_id("unmute-all").click()
    for student in (s1, s2):
        await expect(student.get_by_test_id("you-muted")).to_be_hidden()


async def test_a_locked_room_keeps_a_newcomer_waiting_until_it_is_unlocked(
    open_page: OpenPage, server: Server, http: aiohttp.ClientSession
) -> None:
    lecture_id = await create_lecture(http, server, "Locked")
    edu, s1, s2 = [await open_page(name) for name in ("educator", "student1", "student2")]
    for page, name in ((edu, "educator"), (s1, "student1")):
        await enter_room(page, server, name, lecture_id)
        await wait_until_live(page)
    lock = edu.get_by_test_id("lock-room")
    await lock.click()
    await expect(lock).to_have_attribute("aria-pressed", "true")
    await enter_room(s2, server, "student2", lecture_id)
    await expect(s2.get_by_test_id("room-locked")).to_be_visible()
    await expect(edu.get_by_test_id("roster-item")).to_have_count(2)
    await lock.click()
    await wait_until_live(s2)  # the waiting page joins by itself
    await expect(edu.get_by_test_id("roster-item")).to_have_count(3)
    await expect(s2.get_by_test_id("room-locked")).to_have_count(0)


async def test_a_student_waits_for_the_start_then_joins_and_reads_arabic(
    open_page: OpenPage, server: Server, http: aiohttp.ClientSession
) -> None:
    lecture_id = await create_lecture(http, server, "Starts soon", start=False)
    student = await open_page("student2")  # prefers English
    await enter_room(student, server, "student2", lecture_id)
    await expect(student.get_by_test_id("not-started")).to_be_visible()
    await expect(student.get_by_test_id("connection-banner")).to_be_hidden()
    await start_lecture(http, server, lecture_id)
    await wait_until_live(student)
    await expect(student.get_by_test_id("not-started")).to_have_count(0)

    # Switching language rebuilds the page: the old connection closes, a new one joins.
    await student.get_by_test_id("lang-switch").select_option("ar")
    await expect(student.locator("html")).to_have_attribute("dir", "rtl")
    await expect(student.get_by_test_id("hand-raise")).to_have_text("رفع اليد")
    await wait_until_live(student)
    await expect(student.get_by_test_id("roster-item")).to_have_count(1)
    async with student.expect_response(lambda r: r.url.endswith("/api/v1/me")):
        await student.get_by_test_id("lang-switch").select_option("en")  # as it was


async def test_a_reconnect_after_the_token_lifetime_asks_for_a_new_token(
    open_page: OpenPage, server: Server, http: aiohttp.ClientSession
) -> None:
    lecture_id = await create_lecture(http, server, "Long lecture")
    student = await open_page("student2")
    await student.clock.install()
    await enter_room(student, server, "student2", lecture_id)
    await wait_until_live(student)
    # Five minutes on, the ping timeout has cut the connection and the token has expired.
    async with student.expect_request(
        lambda r: r.method == "POST" and r.url.endswith(f"/lectures/{lecture_id}/join")
    ):
        await student.clock.fast_forward("05:00")
    await wait_until_live(student)
    await student.get_by_test_id("hand-raise").click()
    await expect(student.get_by_test_id("hand-item")).to_have_count(1)


async def test_the_room_survives_a_server_restart_until_the_lecture_ends(
    open_page: OpenPage, server: Server, http: aiohttp.ClientSession
) -> None:
    lecture_id = await create_lecture(http, server, "Restart and end")
    edu, student = [await open_page(name) for name in ("educator", "student1")]
    for page, name in ((edu, "educator"), (student, "student1")):
        await enter_room(page, server, name, lecture_id)
        await wait_until_live(page)
    await student.get_by_test_id("chat-input").fill("Before the restart")
    await student.get_by_test_id("chat-send").click()
    await expect(edu.get_by_test_id("chat-message")).to_have_count(1)

    banner = student.get_by_test_id("connection-banner")
    banner_shown = asyncio.create_task(expect(banner).to_be_visible(timeout=15_000))
    await asyncio.to_thread(server.restart)
    await banner_shown
    # Each page reconnects on its own backoff; until then it refuses to send.
    for page in (edu, student):
        await expect(page.get_by_test_id("connection-banner")).to_be_hidden(timeout=15_000)
    await expect(student.get_by_test_id("chat-message")).to_have_text(
        [re.compile("Before the restart")]
    )
    await edu.get_by_test_id("chat-input").fill("After the restart")
    await edu.get_by_test_id("chat-send").click()
    await expect(student.get_by_test_id("chat-message")).to_have_count(2)

    edu.once("dialog", lambda dialog: dialog.accept())
    await edu.get_by_test_id("end-lecture").click()
    # The educator goes on to the course page (test_web_room_end); the student is told.
    await edu.wait_for_url(re.compile(rf"/courses/\d+#lecture-{lecture_id}$"))
    await expect(student.get_by_test_id("lecture-ended")).to_be_visible()
    await expect(student.get_by_test_id("connection-banner")).to_be_hidden()
    await student.reload()
    await expect(student.get_by_test_id("lecture-ended")).to_be_visible()
