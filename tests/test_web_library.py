"""The course page and the video library in real headless Chromium: an educator schedules and
starts lectures (from the course page and from the room), uploads and edits a video; students
see live lectures, enter them, and watch the video with hls.js, audio only and resume."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from playwright.async_api import Page, expect

from tests.conftest import Server, bearer
from tests.media import make_clip
from tests.room_client import demo_course_id
from tests.test_portal_api_videos import ready, upload
from tests.test_vod_subtitles import TRACK
from tests.test_web_client import browser as shared_browser
from tests.test_web_client import log_in
from tests.test_web_room import OpenPage, create_lecture, wait_until_live
from tests.test_web_room import open_page as shared_open_page

pytestmark = pytest.mark.browser
browser = shared_browser  # the session's Chromium fixture, shared with test_web_client
open_page = shared_open_page

COURSE_TITLE = "Introduction to Open Learning"
PROCESSING_S = 120
PROCESSING_MS = PROCESSING_S * 1000

# Reads the player element; `window.player` would not survive the page's own rebuilds.
# Predicates are functions ("() => ..."): Playwright evals a bare expression, which the
# server's Content-Security-Policy (no unsafe-eval) blocks.
PLAYER = "document.querySelector('[data-testid=player]')"


async def open_course(page: Page, server: Server, username: str) -> None:
    """Logs in and follows the dashboard's link to the demo course."""
    await log_in(page, server, username)
    await page.get_by_test_id("course-link").filter(has_text=COURSE_TITLE).click()
    await expect(page.get_by_test_id("course-title")).to_have_text(COURSE_TITLE)


async def video(
    http: aiohttp.ClientSession, server: Server, video_id: int, username: str = "educator"
) -> dict[str, Any]:
    headers = await bearer(http, server, username)
    async with http.get(server.url(f"/api/v1/videos/{video_id}"), headers=headers) as response:
        assert response.status == 200, await response.text()
        body: dict[str, Any] = await response.json()
    return body


async def wait_for_renditions(
    http: aiohttp.ClientSession, server: Server, video_id: int, name: str
) -> None:
    """The quality ladder (with the audio-only variant) follows playability in the background."""
    for _ in range(PROCESSING_S * 2):
        if any(r["name"] == name for r in (await video(http, server, video_id))["renditions"]):
            return
        await asyncio.sleep(0.5)
    raise AssertionError(f"video {video_id} never got its {name} rendition")


async def play_for(page: Page, seconds: float) -> float:
    """Plays (muted, so autoplay is allowed) until currentTime has advanced `seconds`."""
    start: float = await page.evaluate(
        f"async () => {{ const v = {PLAYER}; v.muted = true; await v.play(); "
        "return v.currentTime; }"
    )
    await page.wait_for_function(
        f"start => {PLAYER}.currentTime >= start + {seconds}", arg=start, timeout=15_000
    )
    return start


async def test_educator_schedules_and_starts_a_lecture_that_a_student_enters(
    open_page: OpenPage, server: Server, http: aiohttp.ClientSession
) -> None:
    title = f"Course page lecture {server.extra['database']}"
    # Other tests change profiles; this one reasons in English and in each user's own zone.
    for username, zone in (("educator", "Asia/Hebron"), ("student2", "America/Chicago")):
        async with http.patch(
            server.url("/api/v1/me"),
            json={"time_zone": zone, "preferred_language": "en"},
            headers=await bearer(http, server, username),
        ) as response:
            assert response.status == 200
    edu = await open_page("educator")
    await open_course(edu, server, "educator")

    # 09:30 in the educator's zone (Asia/Hebron, UTC+2 in January) is 07:30 UTC.
    form = edu.get_by_test_id("lecture-form")
    await form.locator("input[name=title]").fill(title)
    await form.locator("input[name=scheduled_start]").fill("2030-01-15T09:30")
    await form.locator("input[name=duration_minutes]").fill("45")
    await form.locator("button[type=submit]").click()
    item = edu.get_by_test_id("lecture-item").filter(has_text=title)
    await expect(item).to_have_attribute("data-status", "scheduled")
    await expect(item.locator("time")).to_have_attribute("datetime", re.compile("07:30:00"))
    await expect(item.locator("time")).to_have_text(re.compile(r"Jan 15, 2030.*9:30\sAM"))
    await expect(item.get_by_test_id("lecture-enter")).to_be_visible()

    await item.get_by_test_id("lecture-start").click()
    await expect(item).to_have_attribute("data-status", "live")
    await expect(item.get_by_test_id("lecture-start")).to_have_count(0)
    await expect(item.get_by_test_id("lecture-end")).to_be_visible()

    # The student (America/Chicago) sees it live at 01:30 their time, and enters.
    student = await open_page("student2")
    await open_course(student, server, "student2")
    seen = student.get_by_test_id("lecture-item").filter(has_text=title)
    await expect(seen).to_have_attribute("data-status", "live")
    await expect(seen.locator("time")).to_have_text(re.compile(r"Jan 15, 2030.*1:30\sAM"))
    await expect(student.get_by_test_id("lecture-form")).to_have_count(0)
    await expect(seen.get_by_test_id("lecture-start")).to_have_count(0)
    await seen.get_by_test_id("lecture-enter").click()
    await expect(student).to_have_url(re.compile(r"/lectures/\d+$"))
    await expect(student.get_by_test_id("room-title")).to_have_text(title)
    await wait_until_live(student)


async def test_the_educator_starts_a_scheduled_lecture_from_the_room(
    open_page: OpenPage, server: Server, http: aiohttp.ClientSession
) -> None:
    lecture_id = await create_lecture(http, server, "Started in the room", start=False)
    edu, student = [await open_page(name) for name in ("educator", "student2")]
    await open_course(edu, server, "educator")
    scheduled = edu.get_by_test_id("lecture-item").filter(has_text="Started in the room")
    await scheduled.get_by_test_id("lecture-enter").click()
    await wait_until_live(edu)
    await log_in(student, server, "student2")
    await expect(student.get_by_test_id("user-name")).to_be_visible()
    await student.goto(server.url(f"/lectures/{lecture_id}"))
    await expect(student.get_by_test_id("not-started")).to_be_visible()

    await edu.get_by_test_id("room-start").click()
    await expect(edu.get_by_test_id("room-start")).to_be_hidden()
    await expect(edu.get_by_test_id("room-scheduled")).to_be_hidden()
    await wait_until_live(student)  # the waiting page joins on its next try
    await expect(edu.get_by_test_id("roster-item")).to_have_count(2)
    await expect(student.get_by_test_id("room-start")).to_be_hidden()


async def test_educator_uploads_a_video_that_a_student_plays_and_resumes(
    open_page: OpenPage, server: Server, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    title = f"Week 1 recording {server.extra['database']}"
    clip = make_clip(tmp_path / "week1.mp4", 6)
    edu = await open_page("educator")
    await open_course(edu, server, "educator")
    await edu.get_by_test_id("video-title").fill(title)
    await edu.get_by_test_id("video-upload").set_input_files(clip)
    await edu.get_by_test_id("video-upload-submit").click()
    card = edu.get_by_test_id("video-card").filter(has_text=title)
    await expect(card).to_be_visible()
    await expect(card).to_have_attribute("data-status", "ready", timeout=PROCESSING_MS)
    href = await card.get_attribute("href")
    assert href is not None and re.fullmatch(r"/videos/\d+", href)
    video_id = int(href.rsplit("/", 1)[1])

    # The educator tags it on the player page, where the processing jobs show; the course's
    # tag filter then finds it.
    await card.click()
    await expect(edu.get_by_test_id("video-jobs")).to_be_visible()
    await expect(edu.get_by_test_id("job-item").first).to_be_visible()
    edit = edu.get_by_test_id("video-edit")
    await edit.locator("input[name=tags]").fill("week1, intro")
    await edit.locator("textarea[name=description]").fill("The first week, recorded.")
    async with edu.expect_response(lambda r: r.request.method == "PATCH"):
        await edit.locator("button[type=submit]").click()
    await expect(edu.get_by_test_id("video-heading")).to_have_text(title)
    await expect(edu.locator(".video-description")).to_have_text("The first week, recorded.")
    await wait_for_renditions(http, server, video_id, "audio")
    await expect(edu.get_by_test_id("job-cancel")).to_have_count(0, timeout=PROCESSING_MS)
    await expect(edu.get_by_test_id("job-item")).to_have_count(3)
    await edu.go_back()
    await edu.get_by_test_id("video-tag").fill("week1")
    await edu.get_by_test_id("video-search").fill(title)
    await edu.get_by_test_id("video-search").press("Enter")
    await expect(edu.get_by_test_id("video-card")).to_have_count(1)
    await edu.get_by_test_id("video-tag").fill("no-such-tag")
    await edu.get_by_test_id("video-tag").press("Enter")
    await expect(edu.get_by_test_id("video-card")).to_have_count(0)

    # The student plays it with hls.js (H.264 over Media Source Extensions).
    student = await open_page("student2")
    await open_course(student, server, "student2")
    await student.get_by_test_id("video-card").filter(has_text=title).click()
    await expect(student).to_have_url(re.compile(f"/videos/{video_id}$"))
    await expect(student.get_by_test_id("video-edit")).to_have_count(0)
    await expect(student.get_by_test_id("video-jobs")).to_have_count(0)
    download = student.get_by_test_id("download-link")
    await expect(download).to_have_attribute("href", f"/vod/{video_id}/download.mp4")
    await expect(download).to_have_attribute("download", "")
    await expect(student.get_by_test_id("download-composed-link")).to_have_count(0)  # no slides
    await student.wait_for_function(f"() => {PLAYER}?.readyState >= 2")
    assert await student.evaluate(f"{PLAYER}.src.startsWith('blob:')")  # MSE, not native

    # Resume: about 2 s in, paused (which saves), the reloaded page starts there.
    await play_for(student, 2)
    async with student.expect_response(
        lambda r: r.request.method == "PUT" and r.url.endswith("/position")
    ) as saved:
        await student.evaluate(f"{PLAYER}.pause()")
    assert (await saved.value).ok
    await student.reload()
    await student.wait_for_function(f"() => {PLAYER}?.readyState >= 2")
    assert await student.evaluate(f"{PLAYER}.currentTime") >= 1

    # Audio only: the menu lists it, and playback goes on from the same moment.
    menu = student.get_by_test_id("quality-menu")
    await expect(menu.locator("option[value=audio]")).to_have_count(1)
    await expect(menu.locator("option[value=auto]")).to_have_count(1)
    await play_for(student, 0.3)
    before = await student.evaluate(f"{PLAYER}.currentTime")
    await menu.select_option("audio")
    await student.wait_for_function(
        f"t => !{PLAYER}.paused && {PLAYER}.currentTime > t + 0.5", arg=before, timeout=15_000
    )
    assert await student.evaluate(f"{PLAYER}.videoWidth") == 0

    # The educator deletes it; it is gone from the course.
    await edu.goto(server.url(f"/videos/{video_id}"))
    edu.once("dialog", lambda dialog: dialog.accept())
    await edu.get_by_test_id("video-delete").click()
    await expect(edu).to_have_url(re.compile(r"/courses/\d+$"))
    await expect(edu.get_by_test_id("course-title")).to_have_text(COURSE_TITLE)
    await expect(edu.get_by_test_id("video-card").filter(has_text=title)).to_have_count(0)


async def test_a_failed_video_tells_its_educators_why(
    open_page: OpenPage, server: Server, http: aiohttp.ClientSession
) -> None:
    course = await demo_course_id(http, server)
    junk = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 256  # an MP4 header, then noise
    status, uploaded = await upload(http, server, course, junk, title="Not a video either")
    assert status == 202
    failed = await ready(http, server, uploaded["id"])
    assert failed["status"] == "failed" and failed["error"], failed
    edu = await open_page("educator")
    await log_in(edu, server, "educator")
    await expect(edu.get_by_test_id("user-name")).to_be_visible()
    await edu.goto(server.url(f"/videos/{failed['id']}"))
    notice = edu.get_by_test_id("player-status")
    await expect(notice).to_contain_text("This video could not be processed.")
    await expect(edu.get_by_test_id("player-error")).to_have_text(f"Reason: {failed['error']}")
    student = await open_page("student1")
    await log_in(student, server, "student1")
    await expect(student.get_by_test_id("user-name")).to_be_visible()
    await student.goto(server.url(f"/videos/{failed['id']}"))
    # student1 reads Arabic: the notice in their language, and no reason for them.
    await expect(student.get_by_test_id("player-status")).to_have_text("تعذّر تجهيز هذا الفيديو.")
    await expect(student.get_by_test_id("player-error")).to_have_count(0)


async def test_an_educator_adds_subtitles_that_the_player_offers(
    open_page: OpenPage, server: Server, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    course = await demo_course_id(http, server)
    clip = make_clip(tmp_path / "clip.mp4", 2).read_bytes()
    video_id = (await upload(http, server, course, clip, title="Subtitled"))[1]["id"]
    await ready(http, server, video_id)
    track = tmp_path / "arabic.vtt"
    track.write_text(TRACK, encoding="utf-8")

    educator = await open_page("educator")
    await log_in(educator, server, "educator")
    await expect(educator.get_by_test_id("user-name")).to_be_visible()
    await educator.goto(server.url(f"/videos/{video_id}"))
    form = educator.get_by_test_id("subtitle-form")
    await form.get_by_test_id("subtitle-language").fill("ar")
    await form.get_by_test_id("subtitle-file").set_input_files(track)
    await form.locator("button[type=submit]").click()
    await expect(educator.get_by_test_id("subtitle-item")).to_have_attribute("data-language", "ar")

    student = await open_page("student2")
    await log_in(student, server, "student2")
    await expect(student.get_by_test_id("user-name")).to_be_visible()
    await student.goto(server.url(f"/videos/{video_id}"))
    await student.wait_for_function(f"() => {PLAYER}?.readyState >= 1")
    tracks = await student.evaluate(
        f"() => [...{PLAYER}.textTracks].map(t => [t.kind, t.language])"
    )
    assert ["subtitles", "ar"] in tracks, tracks
    await expect(student.get_by_test_id("subtitle-form")).to_have_count(0)  # educators only
