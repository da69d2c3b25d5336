"""What a student's browser sees when the process holding the lecture's media dies.

Two server processes on one Redis and one PostgreSQL; both browsers are connected to the
survivor, and the lecture's media is held by the other. When the holder is killed, the
survivor places the lecture again and tells the room ``media:moved``: the pages open new peer
connections and the educator's camera and microphone are published again, without a reload.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import aiohttp
import pytest
from playwright.async_api import BrowserContext, expect
from redis.asyncio import Redis

from signaling.media_nodes import placement_key
from tests.browser_media import into_lecture, received
from tests.conftest import Server
from tests.test_signaling_media_relay import node_id, start_nodes
from tests.test_web_media import media_browser
from tests.test_web_media_recovery import contexts as two_contexts
from tests.test_web_media_recovery import media_state, until_camera_plays
from tests.test_web_room import create_lecture

pytestmark = pytest.mark.browser
browser = media_browser
contexts = two_contexts
NODES_REDIS = "redis://127.0.0.1:6379/7"
BACK_LIMIT = 15  # seconds from the kill until the student decodes the camera again


@pytest.fixture
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Server]]:
    doomed, survivor = start_nodes(tmp_path_factory, "web_nodes", NODES_REDIS)
    yield doomed, survivor
    doomed.stop()
    survivor.stop()


async def test_the_camera_comes_back_when_the_media_node_dies(
    http: aiohttp.ClientSession, nodes: tuple[Server, Server], contexts: list[BrowserContext]
) -> None:
    doomed, survivor = nodes
    redis = Redis.from_url(NODES_REDIS, decode_responses=True)
    try:
        lecture = await create_lecture(http, survivor, "Two nodes")
        await redis.set(placement_key(lecture), await node_id(redis, doomed))
        educator, student = [await c.new_page() for c in contexts]
        await into_lecture(survivor, lecture, educator, student)
        for source in ("camera", "microphone"):
            await educator.get_by_test_id(f"toggle-{source}").click()
        await until_camera_plays(student, time.monotonic(), 30)

        doomed.process.kill()
        killed = time.monotonic()
        seconds = await until_camera_plays(student, killed, BACK_LIMIT)
        print(f"MEASURED camera back {seconds:.1f} s after the media node was killed")
        assert await redis.get(placement_key(lecture)) == await node_id(redis, survivor)
    finally:
        await redis.aclose()
    await expect(educator.get_by_test_id("toggle-camera")).to_have_attribute("aria-pressed", "true")
    assert await media_state(educator) == "connected"
    assert await media_state(student) == "connected"
    got = await received(student, 2)
    assert got["audio"]["kbps"] > 10, got  # the microphone was published again too
