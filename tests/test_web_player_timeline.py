"""The player of a recorded lecture in Chromium: chapters, and the slide and chat that belong
to the playback time. The lecture is recorded for real first (an aiortc educator publishing
over Socket.IO, PDF slides, a student's chat message), then played with hls.js; the download
with slides appears once its export is made."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from playwright.async_api import expect

from tests.conftest import Server, bearer
from tests.documents import make_pdf
from tests.room_client import live_lecture
from tests.test_portal_api_decks import upload
from tests.test_recording_service import (
    cues,
    enter,
    fetch,
    lecture_video,
    publish_camera_and_microphone,
    record_microphone_and_slides,
)
from tests.test_recording_service import media_server as shared_media_server
from tests.test_web_client import browser as shared_browser
from tests.test_web_client import log_in
from tests.test_web_library import play_for
from tests.test_web_room import OpenPage
from tests.test_web_room import open_page as shared_open_page
from vod.probe import probe

pytestmark = pytest.mark.browser
browser = shared_browser
open_page = shared_open_page
media_server = shared_media_server

SLIDES = ["Week 2: Open licences", "Creative Commons in practice", "What to read next"]
# Predicates are functions ("() => ..."): Playwright evals a bare expression, which the
# server's Content-Security-Policy (no unsafe-eval) blocks.
PLAYER = "document.querySelector('[data-testid=player]')"
RECTANGLE = {"kind": "rectangle", "points": [[0.1, 0.1], [0.6, 0.6]], "color": "#d00000",
             "width": 0.01}  # fmt: skip
# Red pixels painted on the replay's annotation layer.
INKED = (
    "() => { const c = document.querySelector('[data-testid=replay-ink]');"
    " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
    " let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] > 150 && d[i + 3] > 0) n++;"
    " return n; }"
)


async def record_lecture(http: aiohttp.ClientSession, server: Server) -> int:
    """A lecture recorded with three slides and one chat message; its video's id."""
    lecture = await live_lecture(http, server)
    educator = await enter(http, server, lecture, "educator")
    student = await enter(http, server, lecture, "student1")
    try:
        status, deck = await upload(http, server, lecture, make_pdf(SLIDES), "week2.pdf")
        assert status == 202
        await educator.deck_settled()
        await publish_camera_and_microphone(educator)
        assert (await educator.call("slides:show", {"deck_id": deck["id"], "page": 1}))["ok"]
        assert (await educator.call("recording:start", {}))["ok"]
        for page in (2, 3):
            await asyncio.sleep(2.5)
            assert (await educator.call("slides:show", {"deck_id": deck["id"], "page": page}))["ok"]
            if page == 2:
                assert (await student.call("chat:send", {"text": "Which licence for slides?"}))[
                    "ok"
                ]
        await asyncio.sleep(0.5)
        assert (await educator.call("annotation:add", RECTANGLE))["ok"]  # drawn on page 3
        await asyncio.sleep(2.5)
        assert (await educator.call("lecture:end", {}))["ok"]
    finally:
        await educator.leave()
        await student.leave()
    return int((await lecture_video(http, server, lecture))["id"])


async def test_seeking_to_a_chapter_shows_its_slide(
    open_page: OpenPage, media_server: Server, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    server = media_server
    video_id = await record_lecture(http, server)
    chapters = json.loads(await fetch(http, server, f"/vod/{video_id}/timeline.json"))["chapters"]
    assert [c["title"] for c in chapters] == SLIDES

    page = await open_page("student2")
    await page.set_viewport_size({"width": 1366, "height": 768})  # a common laptop
    await log_in(page, server, "student2")
    await expect(page.get_by_test_id("user-name")).to_be_visible()
    await page.goto(server.url(f"/videos/{video_id}"))
    await page.wait_for_function(f"() => {PLAYER}?.readyState >= 2")
    replay = page.get_by_test_id("replay")
    # The title above the video, the slides beside it, the chapters drawn as a list.
    title = await page.get_by_test_id("video-heading").bounding_box()
    player = await page.get_by_test_id("player").bounding_box()
    beside = await replay.bounding_box()
    assert title and player and beside
    assert title["y"] + title["height"] <= player["y"]
    assert beside["x"] >= player["x"] + player["width"] and beside["y"] < player["y"] + 50
    looks = await page.get_by_test_id("chapter-1").evaluate(
        "b => { const s = getComputedStyle(b); return [s.borderTopStyle, s.cursor, s.textAlign]; }"
    )
    assert looks == ["solid", "pointer", "start"], looks
    slide = page.get_by_test_id("replay-slide")
    chat = page.get_by_test_id("replay-chat").locator("li")
    for number, title in enumerate(SLIDES, start=1):
        await expect(page.get_by_test_id(f"chapter-{number}")).to_contain_text(title)
    await expect(slide).to_have_attribute("data-page", "1")
    await expect(chat).to_have_count(0)  # nothing said yet at 0:00

    await page.get_by_test_id("chapter-3").click()
    await expect(slide).to_have_attribute("data-page", "3")
    await expect(page.get_by_test_id("replay-slide-title")).to_have_text(SLIDES[2])
    await expect(page.get_by_test_id("chapter-3")).to_have_attribute("aria-current", "true")
    await page.wait_for_function(
        "src => { const img = document.querySelector('[data-testid=replay-slide]');"
        " return img.complete && img.naturalWidth > 0 && img.src.endsWith(src); }",
        arg=chapters[2]["image"],
    )
    assert await page.evaluate(f"{PLAYER}.currentTime") == pytest.approx(
        chapters[2]["start"], abs=0.5
    )
    await expect(chat).to_have_count(1)  # said during the second slide, so before this
    await expect(chat.first).to_contain_text("Which licence for slides?")
    ink = page.get_by_test_id("replay-ink")
    await expect(ink).to_have_attribute("data-count", "0")  # drawn half a second later
    await page.evaluate(f"{PLAYER}.currentTime = {chapters[2]['start'] + 1.5}")
    await expect(ink).to_have_attribute("data-count", "1")
    assert await page.evaluate(INKED) > 100

    # Seeking the video itself (not through the list) moves the slide and the chat back.
    await page.evaluate(f"{PLAYER}.currentTime = {chapters[1]['start'] + 0.3}")
    await expect(slide).to_have_attribute("data-page", "2")
    await page.evaluate(f"{PLAYER}.currentTime = 0.2")
    await expect(slide).to_have_attribute("data-page", "1")
    await expect(chat).to_have_count(0)
    await expect(ink).to_have_attribute("data-count", "0")
    assert await page.evaluate(INKED) == 0
    await expect(replay).to_have_attribute("aria-label", "The lecture as it happened")

    # The export with slides follows in the background; once there, the player offers it.
    video = await composed_video(http, server, video_id)
    await page.reload()
    link = page.get_by_test_id("download-composed-link")
    await expect(link).to_have_attribute("href", f"/vod/{video_id}/composed.mp4")
    await expect(link).to_have_text("Download with slides")
    composed = tmp_path / "composed.mp4"
    composed.write_bytes(await fetch(http, server, f"/vod/{video_id}/composed.mp4"))
    info = probe(composed)
    assert (info.video_codec, info.width, info.height, info.audio_codec) == (
        "h264", 1280, 720, "aac"
    )  # fmt: skip
    assert abs(info.duration - video["duration_seconds"]) <= 0.5


async def composed_video(
    http: aiohttp.ClientSession, server: Server, video_id: int, within: float = 180
) -> dict[str, Any]:
    """The video once its composed export exists (after the ladder, in the slow lane)."""
    headers = await bearer(http, server, "student2")
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        async with http.get(server.url(f"/api/v1/videos/{video_id}"), headers=headers) as got:
            assert got.status == 200, await got.text()
            video: dict[str, Any] = await got.json()
        if video["composed_url"]:
            return video
        await asyncio.sleep(0.5)
    raise AssertionError(f"no composed export for video {video_id}")


async def test_an_audio_only_lecture_plays_beside_its_slides(
    open_page: OpenPage, media_server: Server, http: aiohttp.ClientSession
) -> None:
    """Recorded with a microphone and slides only: the sound plays, the slides follow it, and
    the quality menu offers nothing (there is one audio rendition and no picture)."""
    video_id, _, _, _ = await record_microphone_and_slides(http, media_server, SLIDES[:2])
    chapters = json.loads(await fetch(http, media_server, f"/vod/{video_id}/timeline.json"))[
        "chapters"
    ]
    page = await open_page("student2")
    await log_in(page, media_server, "student2")
    await expect(page.get_by_test_id("user-name")).to_be_visible()
    await page.goto(media_server.url(f"/videos/{video_id}"))
    await page.wait_for_function(f"() => {PLAYER}?.readyState >= 2")
    await expect(page.get_by_test_id("player-audio-only")).to_have_text(
        "Sound only: this lecture was recorded without a camera."
    )
    slide = page.get_by_test_id("replay-slide")
    await expect(slide).to_have_attribute("data-page", "1")
    await page.wait_for_function(
        "() => { const img = document.querySelector('[data-testid=replay-slide]');"
        " return img.complete && img.naturalWidth > 0; }"
    )
    start = await play_for(page, 1.0)  # the audio-only stream plays: currentTime advances
    assert start < 0.5
    assert await page.evaluate(f"{PLAYER}.error") is None
    await expect(page.get_by_test_id("quality-menu")).to_be_hidden()
    await expect(page.get_by_test_id("replay-chat")).to_have_count(0)  # nobody wrote
    await page.get_by_test_id("chapter-2").click()
    await expect(slide).to_have_attribute("data-page", "2")
    assert await page.evaluate(f"{PLAYER}.currentTime") == pytest.approx(
        chapters[1]["start"], abs=0.5
    )


CAPTIONS = ["مرحبا بكم في المحاضرة", "Today: open licences"]


async def record_captioned_lecture(http: aiohttp.ClientSession, server: Server) -> int:
    """A lecture recorded with a camera while a student captioner sends two lines (an Arabic
    one, then an English one, with typing previews between); its video's id."""
    lecture = await live_lecture(http, server)
    educator = await enter(http, server, lecture, "educator")
    captioner = await enter(http, server, lecture, "student1")
    try:
        assign = {"user_id": captioner.user_id, "captioner": True}
        assert (await educator.call("caption:assign", assign))["ok"]
        await publish_camera_and_microphone(educator)
        assert (await educator.call("recording:start", {}))["ok"]
        for text, lang in zip(CAPTIONS, ("ar", "en"), strict=True):
            await asyncio.sleep(1.5)
            typing = {"text": text[:5], "final": False, "lang": lang}
            assert (await captioner.call("caption:send", typing))["ok"]
            assert (await captioner.call("caption:send", {"text": text, "lang": lang}))["ok"]
        await asyncio.sleep(2.0)
        assert (await educator.call("lecture:end", {}))["ok"]
    finally:
        await educator.leave()
        await captioner.leave()
    return int((await lecture_video(http, server, lecture))["id"])


async def test_live_captions_play_as_the_recordings_captions_track(
    open_page: OpenPage, media_server: Server, http: aiohttp.ClientSession
) -> None:
    """Room to player: the lines typed live become the video's WebVTT captions, a SUBTITLES
    rendition of its master playlist, and one captions track on the player (off at first)."""
    server = media_server
    video_id = await record_captioned_lecture(http, server)
    master = (await fetch(http, server, f"/vod/{video_id}/master.m3u8")).decode()
    assert '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="captions"' in master
    playlist = (await fetch(http, server, f"/vod/{video_id}/hls/captions/index.m3u8")).decode()
    assert "captions.vtt" in playlist.splitlines()
    vtt = (await fetch(http, server, f"/vod/{video_id}/hls/captions/captions.vtt")).decode()
    said = cues(vtt)
    assert [text for _, _, text in said] == CAPTIONS, vtt  # the previews are not kept
    assert 1.0 <= said[0][0] <= 2.5 and said[0][1] == said[1][0], said

    page = await open_page("student2")
    await log_in(page, server, "student2")
    await expect(page.get_by_test_id("user-name")).to_be_visible()
    await page.goto(server.url(f"/videos/{video_id}"))
    await page.wait_for_function(f"() => {PLAYER}?.readyState >= 2")
    track = page.get_by_test_id("captions-track")
    await expect(track).to_have_attribute("kind", "captions")
    await expect(track).to_have_attribute("srclang", "ar")  # the first line's language: a tie
    texts = f"[...{PLAYER}.textTracks].filter(t => t.kind === 'captions' || t.kind === 'subtitles')"
    assert await page.evaluate(f"() => {texts}.map(t => t.mode)") == ["disabled"]
    await page.evaluate(f"() => {{ {texts}[0].mode = 'hidden'; }}")
    await page.wait_for_function(f"() => {texts}[0].cues?.length === 2")
    await page.evaluate(f"{PLAYER}.currentTime = {said[0][0] + 0.3}")
    active = f"() => [...{texts}[0].activeCues].map(c => c.text)"
    await page.wait_for_function(f"() => ({active})().length === 1")
    assert await page.evaluate(active) == [CAPTIONS[0]]
