"""What a student receives, measured in their browser: a 720p camera at full rate and a
readable 1080p screen share, within seconds of the educator turning them on.

Before the SFU gave publishers transport-cc feedback, Chromium's estimate sat at 90 kbps for
whole sessions (aiortc's REMB): the camera went out at 320x240 and ~30 kbps, the screen at
480x270 and 5-7 fps. These are the figures ``bench/media_quality.py`` reports too.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from playwright.async_api import Browser, Page, async_playwright

from tests.browser_media import (
    CAMERA_SIZE,
    SCREEN_AND_PEERS,
    SCREEN_SIZE,
    camera_file,
    into_lecture,
    outbound,
    publish_all,
    received,
    until_full_quality,
)
from tests.conftest import Server
from tests.test_web_client import CHROMIUM
from tests.test_web_media import MEDIA_ARGS, media_server
from tests.test_web_room import create_lecture

pytestmark = pytest.mark.browser
server = media_server  # one loopback-ICE server per module


@pytest.fixture(scope="module")
async def camera_browser(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Browser]:
    clip = camera_file(Path(tmp_path_factory.mktemp("camera")))
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[*MEDIA_ARGS, f"--use-file-for-fake-video-capture={clip}"],
        )
        yield browser
        await browser.close()


@pytest.fixture
async def two_pages(camera_browser: Browser) -> AsyncIterator[tuple[Page, Page]]:
    contexts = []
    for _ in range(2):
        context = await camera_browser.new_context(locale="en-US")
        await context.add_init_script(SCREEN_AND_PEERS)
        contexts.append(context)
    yield await contexts[0].new_page(), await contexts[1].new_page()
    for context in contexts:
        await context.close()


async def test_a_student_gets_720p_camera_and_a_1080p_screen_within_seconds(
    http: aiohttp.ClientSession, server: Server, two_pages: tuple[Page, Page]
) -> None:
    educator, student = two_pages
    lecture = await create_lecture(http, server, "Full quality")
    await into_lecture(server, lecture, educator, student)
    asked = await publish_all(educator)

    seconds = await until_full_quality(student, asked, 10 - (time.monotonic() - asked) + 0.5)
    sent = await outbound(educator)
    assert seconds is not None, (
        f"no 720p camera at >= 1 Mbps within 10 s: {await received(student, 1)}; "
        f"educator sends {sent}"
    )
    got = await received(student, 3)
    assert got["camera"]["width"] == CAMERA_SIZE[0], got
    assert got["camera"]["kbps"] >= 1000, got
    assert got["screen"]["width"] == SCREEN_SIZE[0], got
    assert got["screen"]["fps"] >= 5, got
    assert got["audio"]["kbps"] > 10, got
    assert sent["available"] >= 2_000_000, sent
