"""Room media in real headless Chromium with fake camera and microphone: an educator publishes
camera, microphone and screen; a student already in the room and one who joins afterwards see
and hear it; an invited student speaks and a mute silences them at the SFU.

The late joiner matters: its first offer carries every track at once, which is where the SFU
once left the last video m-line on a dead transport (see ``signaling.sfu.ice.configuration``).

Loopback only: the server gathers ICE candidates on 127.0.0.1 and ignores candidates and
checks from outside 127.0.0.0/8 (``--ice-allow``), so Chromium's other addresses, which it
pairs with the server's, never get an answer.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest
from playwright.async_api import Browser, Page, async_playwright, expect
from playwright.async_api import TimeoutError as PlaywrightTimeout

from tests.browser_media import PEER_LIST
from tests.conftest import Server, start_server
from tests.test_web_client import CHROMIUM, CHROMIUM_ARGS
from tests.test_web_room import create_lecture, enter_room, user_id, wait_until_live

pytestmark = pytest.mark.browser

MEDIA_ARGS = [
    *CHROMIUM_ARGS,
    "--allow-loopback-in-peer-connection",
    "--autoplay-policy=no-user-gesture-required",
    "--auto-select-desktop-capture-source=Entire screen",
    # Three pages share one browser: none may be throttled as a background page.
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
]
LOOPBACK_ICE = ("--ice-address", "127.0.0.1", "--ice-allow", "127.0.0.0/8")
MEDIA_MS = 45_000  # generous: three Chromium pages encode and decode on a shared 2-core machine

# Headless Chromium has no screen to capture: the "screen" is a canvas that keeps drawing.
CANVAS_SCREEN = """
navigator.mediaDevices.getDisplayMedia = async () => {
  const canvas = document.createElement("canvas");
  canvas.width = 640; canvas.height = 360;
  const g = canvas.getContext("2d");
  let n = 0;
  setInterval(() => {
    g.fillStyle = `hsl(${(n++ * 7) % 360}, 70%, 50%)`;
    g.fillRect(0, 0, 640, 360);
    g.fillStyle = "#fff"; g.font = "48px sans-serif"; g.fillText(`screen ${n}`, 40, 180);
  }, 50);
  return canvas.captureStream(15);
};
"""  # the test reads the publisher's outbound statistics when something does not arrive
CANVAS_SCREEN += PEER_LIST


@pytest.fixture(scope="module")
def media_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = start_server(tmp_path_factory.mktemp("web-media"), "sqlite", *LOOPBACK_ICE)
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
async def media_browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=MEDIA_ARGS)
        yield browser
        await browser.close()


@pytest.fixture
async def pages(media_browser: Browser) -> AsyncIterator[list[Page]]:
    contexts, opened, errors = [], [], []
    for name in ("educator", "student1", "student2"):
        context = await media_browser.new_context(locale="en-US")
        await context.add_init_script(CANVAS_SCREEN)
        page = await context.new_page()
        page.on("pageerror", lambda exc, name=name: errors.append(f"{name}: {exc}"))
        contexts.append(context)
        opened.append(page)
    yield opened
    for context in contexts:
        await context.close()
    assert errors == [], f"script errors in the pages: {errors}"


async def video_plays(page: Page, selector: str) -> None:
    """The <video> shows real frames: a size, and time that moves on."""
    video = page.locator(selector).first
    await expect(video).to_be_attached(timeout=MEDIA_MS)
    try:
        await page.wait_for_function(
            """(selector) => {
              const v = document.querySelector(selector);
              if (!v || v.videoWidth === 0) return false;
              v.dataset.t0 ??= String(v.currentTime);
              return v.currentTime > Number(v.dataset.t0) + 0.5;
            }""",
            arg=selector,
            timeout=MEDIA_MS,
        )
    except PlaywrightTimeout:
        raise AssertionError(f"{selector} does not play: {await diagnose(page)}") from None


async def sent(page: Page) -> Any:
    """A publisher's outbound RTP per mid (for failure messages)."""
    return await page.evaluate(
        """async () => {
          const out = {};
          for (const pc of window.qouPeerConnections ?? []) {
            (await pc.getStats()).forEach((r) => {
              if (r.type === "outbound-rtp") out[r.mid] = [r.kind, r.packetsSent, r.framesEncoded];
            });
          }
          return out;
        }"""
    )


async def diagnose(page: Page) -> Any:
    """What the page's media looks like, for a failure message: elements, the mid map, and
    per received m-line the SSRC, packets and frames the browser counted."""
    return await page.evaluate(
        """async () => {
          const media = window.qouRoomMedia;
          const elements = [...document.querySelectorAll("video, audio")].map((v) => ({
            id: v.dataset.testid, publication: v.dataset.publication, w: v.videoWidth,
            t: v.currentTime, ready: v.readyState, hidden: v.hidden,
            track: v.srcObject?.getTracks()[0]?.readyState,
          }));
          const remote = [...(media?.remoteTracks.keys() ?? [])];
          const inbound = {};
          for (const pc of window.qouPeerConnections ?? []) {
            (await pc.getStats()).forEach((r) => {
              if (r.type === "inbound-rtp") {
                inbound[r.mid] = [r.kind, r.ssrc, r.packetsReceived, r.framesDecoded];
              }
            });
          }
          const offered = (window.qouPeerConnections ?? []).map((pc) =>
            (pc.remoteDescription?.sdp.match(/^m=\\w+/gm) ?? []).join(" "));
          return { mids: media?.mids, catalogue: media?.catalogue, remote, inbound, offered,
                   elements };
        }"""
    )


async def sfu_metrics(http: aiohttp.ClientSession, server: Server) -> list[str]:
    async with http.get(server.url("/metrics")) as response:
        return [line for line in (await response.text()).splitlines() if "qou_sfu" in line]


async def sees_and_hears(
    student: Page, educator: Page, educator_id: int, http: aiohttp.ClientSession, server: Server
) -> None:
    """The educator's camera and screen play on ``student``'s page and their audio arrives."""
    camera = f"[data-testid=remote-video][data-source=camera][data-user-id='{educator_id}']"
    try:
        await video_plays(student, camera)
        await video_plays(student, "[data-testid=remote-screen]")
        await grows(student, await audio_of(student, educator_id), 50)
    except AssertionError as error:
        raise AssertionError(
            f"{error}; the educator sent {await sent(educator)}; "
            f"SFU {await sfu_metrics(http, server)}"
        ) from None
    states = await student.evaluate(
        """() => [...document.querySelectorAll('[data-testid=remote-audio]')]
             .map((a) => a.srcObject.getAudioTracks()[0].readyState)"""
    )
    assert states == ["live"]


async def packets(page: Page) -> dict[str, int]:
    counts: dict[str, int] = await page.evaluate("() => window.qouRoomMedia.receivedPackets()")
    return counts


async def audio_of(page: Page, user: int) -> str:
    """The publication id of ``user``'s microphone as this page knows it."""
    selector = f"[data-testid=remote-audio][data-user-id='{user}']"
    await expect(page.locator(selector)).to_be_attached(timeout=MEDIA_MS)
    publication: Any = await page.locator(selector).get_attribute("data-publication")
    return str(publication)


async def grows(page: Page, publication: str, by: int, within_ms: int = MEDIA_MS) -> None:
    """Wait until ``page`` has received ``by`` more RTP packets of ``publication``.

    Polled from here: Playwright's ``wait_for_function`` takes an async predicate's promise
    for a truthy value and returns at once, so it cannot wait on ``getStats()``.
    """
    start = (await packets(page)).get(publication, 0)
    deadline = time.monotonic() + within_ms / 1000
    while (count := (await packets(page)).get(publication, 0)) < start + by:
        if time.monotonic() > deadline:
            raise AssertionError(
                f"{publication}: {count - start} packets in {within_ms} ms, wanted {by}: "
                f"{await diagnose(page)}"
            )
        await asyncio.sleep(0.1)


async def test_lecture_media_in_the_browser(
    http: aiohttp.ClientSession, media_server: Server, pages: list[Page]
) -> None:
    server = media_server
    educator, alice, bob = pages
    lecture = await create_lecture(http, server, "Media week")
    alice_id = await user_id(http, server, "student1")
    educator_id = await user_id(http, server, "educator")

    await enter_room(educator, server, "educator", lecture)
    await wait_until_live(educator)
    # Alice waits in the room: the educator's tracks reach her one offer at a time.
    await enter_room(alice, server, "student1", lecture)
    await wait_until_live(alice)
    await expect(alice.get_by_test_id("media-controls")).to_be_hidden()
    controls = educator.get_by_test_id("media-controls")
    await expect(controls).to_be_visible()
    await expect(controls.get_by_test_id("camera-select")).to_be_attached()
    await expect(controls.get_by_test_id("microphone-select")).to_be_attached()
    for source in ("camera", "microphone", "screen"):
        await educator.get_by_test_id(f"toggle-{source}").click()
        await expect(educator.get_by_test_id(f"toggle-{source}")).to_have_attribute(
            "aria-pressed", "true", timeout=MEDIA_MS
        )
    assert await educator.get_by_test_id("camera-select").locator("option").count() >= 1
    await sees_and_hears(alice, educator, educator_id, http, server)

    # Bob joins late: one offer brings him camera, microphone and screen together.
    await alice.wait_for_function(
        "() => (window.qouRoomMedia?.catalogue ?? []).length === 4"  # camera high and low
    )
    await enter_room(bob, server, "student2", lecture)
    await wait_until_live(bob)
    await expect(bob.get_by_test_id("media-controls")).to_be_hidden()
    await sees_and_hears(bob, educator, educator_id, http, server)
    # The speaker indicator names the educator (Chromium's fake microphone beeps).
    await expect(bob.get_by_test_id("speaking")).to_contain_text("Amal", timeout=MEDIA_MS)

    # An invited student speaks; a mute stops that audio at the SFU; unmute brings it back.
    roster_alice = educator.locator(f"[data-testid=roster-item][data-user-id='{alice_id}']")
    await roster_alice.get_by_test_id("invite-speak").click()
    await expect(alice.get_by_test_id("toggle-microphone")).to_be_visible()
    await expect(alice.get_by_test_id("toggle-screen")).to_be_hidden()
    await alice.get_by_test_id("toggle-microphone").click()
    try:
        alice_audio = await audio_of(bob, alice_id)
    except AssertionError as error:
        pressed = await alice.get_by_test_id("toggle-microphone").get_attribute("aria-pressed")
        raise AssertionError(
            f"{error}; Alice's microphone pressed={pressed}, sent {await sent(alice)}, "
            f"her media {await diagnose(alice)}; Bob's media {await diagnose(bob)}; "
            f"SFU {await sfu_metrics(http, server)}; server log: {server.log.read_text()[-3000:]}"
        ) from None
    await grows(bob, alice_audio, 50)
    await roster_alice.get_by_test_id("mute-participant").click()
    await expect(roster_alice).to_contain_text("Muted")
    await bob.wait_for_timeout(500)  # packets already on their way
    counts = await packets(bob)
    assert alice_audio in counts, await diagnose(bob)
    before = counts[alice_audio]
    await bob.wait_for_timeout(1500)
    assert (await packets(bob))[alice_audio] - before <= 3
    await roster_alice.get_by_test_id("mute-participant").click()
    await grows(bob, alice_audio, 25)

    # Audio and slides only: the videos go away, the sound stays.
    await bob.get_by_test_id("audio-only").check()
    await expect(bob.locator("[data-testid=remote-video]").first).to_be_hidden()
    await expect(bob.get_by_test_id("media-screen")).to_be_hidden()
    await grows(bob, alice_audio, 25)


async def test_a_student_asked_to_unmute_speaks_with_one_click(
    http: aiohttp.ClientSession, media_server: Server, pages: list[Page]
) -> None:
    """Muted and not invited, the student is asked; their page offers the microphone, and one
    click later the other student hears them. Only the student asked sees the request."""
    server = media_server
    educator, alice, bob = pages
    lecture = await create_lecture(http, server, "Ask to speak")
    alice_id = await user_id(http, server, "student1")
    for page, name in ((educator, "educator"), (alice, "student1"), (bob, "student2")):
        await enter_room(page, server, name, lecture)
        await wait_until_live(page)
    roster_alice = educator.locator(f"[data-testid=roster-item][data-user-id='{alice_id}']")
    await roster_alice.get_by_test_id("mute-participant").click()
    await expect(roster_alice).to_contain_text("Muted")
    await expect(alice.get_by_test_id("toggle-microphone")).to_be_hidden()

    await roster_alice.get_by_test_id("ask-unmute").click()
    request = alice.get_by_test_id("unmute-request")
    await expect(request).to_be_visible()
    await expect(request).to_contain_text("Amal")
    await expect(roster_alice).not_to_contain_text("Muted")
    await expect(bob.get_by_test_id("unmute-request")).to_be_hidden()
    await request.get_by_test_id("unmute-accept").click()
    await expect(alice.get_by_test_id("toggle-microphone")).to_have_attribute(
        "aria-pressed", "true", timeout=MEDIA_MS
    )
    await expect(request).to_be_hidden()
    await grows(bob, await audio_of(bob, alice_id), 25)
