"""Live media on a shaped link (issue 10 item 7): the server and the educator in one network
namespace, the student in another, joined by a veth pair that ``tests/netns.py`` limits
(``tc tbf``), makes lossy (nftables ``numgen random``) or cuts. The student's page is judged
by what it really receives (``getStats()``, ``tests/browser_media.py``).

- 2 Mbps, clean: the student gets the high camera layer (and keeps it);
- 400 kbps with 5 % loss both ways: the student is on the low layer within 5 s, audio keeps
  playing (concealed samples < 5 % of samples received), a slide turn and an annotation
  reach the student's page within 1 s;
- the link down for 10 s, then back: the student's camera and audio play again within 10 s;
  once with every packet dropped (nftables; the interface stays up), once with the student's
  interface down (Chromium notices and closes its connections, so the room's Socket.IO
  connection comes back on a new WebSocket and the page asks for its media again).

Each test prints a ``MEASURED`` line with its figures (``pytest -s`` shows them). Runs as
root with ``ip``, ``tc`` and ``nft`` (packages iproute2, nftables), else skips.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import pytest
from playwright.async_api import FilePayload, Page, WebSocket, expect

from tests import netns
from tests.browser_media import latest, rates, receive_codecs, streams
from tests.conftest import unless_missing
from tests.documents import make_pdf
from tests.netns_room import SERVE_FLAGS, Classroom, classroom, report, wait_for_media
from tests.test_web_room import DECK_READY_MS, draw_rectangle

pytestmark = [
    pytest.mark.browser,
    unless_missing(netns.missing()),
]

CLEAN_KBIT = 2000
WEAK_KBIT = 400
WEAK_LOSS = 5
SWITCH_SECONDS = 5.0
CONCEALED_MAX = 0.05
"""Audio keeps playing at 5 % loss: under 5 % of samples concealed (the issue's bound). The
SFU sends students RED (``signaling/sfu/redundancy.py``); measured 0.2 % concealed at 6 %
lost. Without it, 2.0-5.5 %."""
ROOM_EVENT_SECONDS = 1.0
CUT_SECONDS = 10
RECOVERY_SECONDS = 10.0
LOW_WIDTH = 320  # the low copy is at most 320x180 (web_client/src/room/media.js)
JOIN = '"media:join"'  # in a Socket.IO frame the page sends


@pytest.fixture(scope="module")
async def room(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Classroom]:
    with netns.two_namespaces() as link:
        tmp = tmp_path_factory.mktemp("weak-links")
        async with classroom(
            link, tmp, [*SERVE_FLAGS, "--log-level", "info"], "Weak links"
        ) as lecture:
            deck = FilePayload(
                name="weak.pdf",
                mimeType="application/pdf",
                buffer=make_pdf(["Page 1", "Page 2", "Page 3"]),
            )
            await lecture.educator.get_by_test_id("deck-upload").set_input_files(files=deck)
            await expect(lecture.educator.get_by_test_id("deck-progress")).to_have_attribute(
                "data-status", "ready", timeout=DECK_READY_MS
            )
            yield lecture


@pytest.fixture(autouse=True)
def clean_link(room: Classroom) -> None:
    room.link.clear()


async def watch(page: Page, seconds: float) -> tuple[list[str], dict[str, dict[str, Any]]]:
    """Samples the page's received media for ``seconds``: the quality of the camera playing
    at each sample, and per source the figures of ``rates`` over the whole window."""
    first = now = await streams(page)
    qualities = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        await asyncio.sleep(0.25)
        now = await streams(page)
        camera = latest(now, "camera")
        qualities.append(camera["quality"] if camera else "none")
    return qualities, rates(first, now)


# The student's page resolves with the wall-clock time (ms) it first shows what ``ready``
# tests; the educator's page records when the user acted (pointer released). Both browsers
# run on this machine, so the two clocks are one.
_SEEN = """([testid, expected]) => new Promise((resolve) => {
  const ready = () => {
    const el = document.querySelector(`[data-testid=${testid}]`);
    if (!el) return false;
    if (testid === "slide-image" && expected.startsWith("loaded:")) {
      const page = expected.slice("loaded:".length);
      return el.dataset.page === page && el.complete && el.naturalWidth > 0
        && el.currentSrc.includes(`/pages/${page}`);
    }
    if (testid === "slide-image") return el.dataset.page === expected;
    return el.textContent.trim() === expected;
  };
  if (ready()) { resolve(Date.now()); return; }
  const observer = new MutationObserver(check);
  const timer = setInterval(check, 10);
  function check() {
    if (!ready()) return;
    observer.disconnect(); clearInterval(timer); resolve(Date.now());
  }
  observer.observe(document, { subtree: true, childList: true, attributes: true,
                               characterData: true });
  document.addEventListener("load", check, true);
})"""
_ACTED = """() => { window.qouActed = null;
  document.addEventListener("pointerup", () => { window.qouActed ??= Date.now(); },
                            { capture: true }); }"""


async def delivery_seconds(
    educator: Page, student: Page, seen: list[tuple[str, str]], act: Any
) -> list[float]:
    """Seconds from the educator's action (``act``, a coroutine function) to the student's
    page showing each of ``seen`` ((testid, expected): the text; for "slide-image" the page
    number set, or with "loaded:" before it the page's image loaded)."""
    await educator.evaluate(_ACTED)
    shown = [asyncio.create_task(student.evaluate(_SEEN, list(what))) for what in seen]
    await asyncio.sleep(0.05)  # the observers are in place
    await act()
    try:
        times = await asyncio.wait_for(asyncio.gather(*shown), 20)
    except TimeoutError:
        raise AssertionError(f"{seen} did not all reach the student's page in 20 s") from None
    acted = await educator.evaluate("() => window.qouActed")
    assert acted is not None, "the educator's action was not seen"
    return [float(at - acted) / 1000 for at in times]


async def turn_page(educator: Page) -> str:
    """Next page (or back to 1 from the last); returns the page now shown."""
    text = await educator.get_by_test_id("page-indicator").inner_text()
    page, pages = (int(n) for n in text.split("/"))
    if page < pages:
        await educator.get_by_test_id("page-next").click()
        return str(page + 1)
    await educator.get_by_test_id("page-thumbs").locator("button").first.click()
    return "1"


async def next_page(educator: Page) -> str:
    text = await educator.get_by_test_id("page-indicator").inner_text()
    page, pages = (int(n) for n in text.split("/"))
    return str(page + 1) if page < pages else "1"


_LOW_OFFERED = """() => {
  const media = window.qouRoomMedia;
  const low = new Set((media?.catalogue ?? [])
    .filter((t) => t.source === "camera" && t.quality === "low").map((t) => t.publication_id));
  return Object.values(media?.mids ?? {}).some((publication) => low.has(publication));
}"""


async def sample_qualities(page: Page, into: list[str]) -> None:
    """Appends the quality of the camera playing on ``page`` every 250 ms, until cancelled."""
    while True:
        camera = latest(await streams(page), "camera")
        into.append(camera["quality"] if camera else "none")
        await asyncio.sleep(0.25)


async def low_offered(page: Page) -> float:
    """When the page's mid map first lists the low camera (the SFU's offer has arrived)."""
    await page.wait_for_function(_LOW_OFFERED, polling=50, timeout=0)
    return time.monotonic()


def decision_seconds(room: Classroom, since: float) -> float | None:
    """Seconds from ``since`` (wall clock) to the server's log line saying it moved a viewer to
    the low camera (signaling/lecture_media.py, logged at info); None when not found."""
    pattern = re.compile(r"^(\S+ \S+) INFO \S+ .*now gets the low camera", re.M)
    for match in pattern.finditer(room.server.log.read_text()):
        at = datetime.strptime(match[1], "%Y-%m-%d %H:%M:%S,%f").timestamp()
        if at >= since - 0.01:
            return at - since
    return None


def received_figures(camera: dict[str, Any], audio: dict[str, Any]) -> dict[str, Any]:
    """What a ``MEASURED`` line says of the camera and audio the student received."""
    return {
        "camera_kbps": camera["kbps"],
        "camera_width": camera["width"],
        "camera_fps": camera["fps"],
        "audio_kbps": audio["kbps"],
        "audio_lost": audio["lost"],
        "concealed": audio["concealed"],
    }


async def test_a_clean_2_mbps_link_gets_the_high_camera(room: Classroom) -> None:
    room.link.rate(CLEAN_KBIT)
    async with room.student() as student:
        started = time.monotonic()
        await wait_for_media(student)
        first_media = time.monotonic() - started
        await asyncio.sleep(2)  # the SFU has had receiver reports to judge by
        qualities, got = await watch(student, 5)
        camera, audio = got["camera"], got["audio"]
        report(
            "clean 2 Mbps",
            first_media_s=first_media,
            qualities="/".join(sorted(set(qualities))),
            **received_figures(camera, audio),
        )
        assert set(qualities) == {"high"}, qualities
        assert camera["width"] > LOW_WIDTH, got
        assert camera["fps"] >= 5, got


async def test_400_kbps_with_5_percent_loss_switches_to_low_and_keeps_audio_and_slides(
    room: Classroom,
) -> None:
    room.link.rate(CLEAN_KBIT)
    async with room.student() as student:
        await wait_for_media(student, quality="high")
        room.link.rate(WEAK_KBIT)
        room.link.loss(WEAK_LOSS)
        degraded, degraded_wall = time.monotonic(), time.time()
        offered = asyncio.create_task(low_offered(student))
        try:
            await wait_for_media(student, within=20, quality="low", max_width=LOW_WIDTH)
        except AssertionError as error:
            offered.cancel()
            raise AssertionError(f"never on the low camera: {error}") from None
        switch = time.monotonic() - degraded
        # Where the time went: the SFU's choice (its log), the offer reaching the page.
        decided = decision_seconds(room, degraded_wall)
        try:
            offer: float | None = await asyncio.wait_for(offered, 2) - degraded
        except TimeoutError:
            offer = None

        start = await streams(student)
        qualities: list[str] = []  # the camera playing, every 250 ms from now on
        sampler = asyncio.create_task(sample_qualities(student, qualities))
        page = await next_page(room.educator)
        slide_event, slide_shown = await delivery_seconds(
            room.educator,
            student,
            [("slide-image", page), ("slide-image", f"loaded:{page}")],
            lambda: turn_page(room.educator),
        )
        count = int(await student.get_by_test_id("annotation-count").inner_text())
        (drawing,) = await delivery_seconds(
            room.educator,
            student,
            [("annotation-count", str(count + 1))],
            lambda: draw_rectangle(room.educator),
        )
        await asyncio.sleep(max(0.0, 8 - (time.monotonic() - degraded - switch)))
        dropped = room.link.dropped("loss")
        got = rates(start, await streams(student))  # audio over at least 8 s on the weak link
        sampler.cancel()
        camera, audio = got["camera"], got["audio"]
        report(
            "400 kbps 5 % loss",
            switch_s=switch,
            sfu_decided_s=decided,
            offer_at_page_s=offer,
            qualities_after="/".join(dict.fromkeys(qualities)),
            **received_figures(camera, audio),
            slide_event_s=slide_event,
            slide_shown_s=slide_shown,
            annotation_s=drawing,
            nft_dropped=dropped,
        )
        assert switch <= SWITCH_SECONDS, f"low camera after {switch:.1f} s"
        assert set(qualities) == {"low"}, f"the camera went back up on the weak link: {qualities}"
        assert camera["width"] <= LOW_WIDTH, got
        assert "audio/red" in await receive_codecs(student, "audio"), "students get RED"
        assert audio["concealed"] < CONCEALED_MAX, got
        assert slide_shown <= ROOM_EVENT_SECONDS, f"slide shown after {slide_shown:.2f} s"
        assert drawing <= ROOM_EVENT_SECONDS, f"annotation shown after {drawing:.2f} s"


@pytest.mark.parametrize("how", ["packets", "interface"])
async def test_media_comes_back_within_10_s_after_the_link_is_down_for_10_s(
    room: Classroom, how: str
) -> None:
    """With ``how`` = "packets" nftables drops everything both ways (the interface stays up,
    as when a Wi-Fi network stops carrying packets); with "interface" the student's interface
    goes down and up again, which Chromium notices: it closes its connections, so the room's
    Socket.IO connection drops and reconnects."""
    async with room.student() as student:
        opened: list[float] = []  # when the page opened a WebSocket
        joins: list[float] = []  # when it sent media:join

        def watch_socket(ws: WebSocket) -> None:
            opened.append(time.monotonic())
            ws.on("framesent", lambda f: joins.append(time.monotonic()) if JOIN in f else None)

        student.on("websocket", watch_socket)
        await wait_for_media(student)
        await asyncio.sleep(2)
        down(room.link, how, True)
        went_down = time.monotonic()
        await asyncio.sleep(1)  # what was in flight has landed
        cut_at = await streams(student)
        await asyncio.sleep(CUT_SECONDS - 1)
        before_restore = await streams(student)
        dropped = room.link.dropped("cut")
        down(room.link, how, False)
        restored = time.monotonic()
        during = rates(cut_at, before_restore)
        # The cut really cut: no camera frame was decoded while it lasted.
        assert during.get("camera", {}).get("fps", 0) == 0, during
        try:
            back = await wait_for_media(student, within=RECOVERY_SECONDS)
        except AssertionError as error:
            live = await student.get_by_test_id("connection-banner").is_hidden()
            joined = await student.evaluate("() => window.qouRoomMedia?.joined")
            reconnected = any(t > went_down for t in opened)
            rejoined = any(t > went_down for t in joins)
            report(
                f"down 10 s ({how})",
                recovery_s=f"none within {RECOVERY_SECONDS:g} s",
                socket_reconnected=reconnected,
                room_live=live,
                media_joined_flag=joined,
                media_join_sent=rejoined,
                nft_dropped=dropped,
            )
            raise AssertionError(f"media not back within {RECOVERY_SECONDS} s: {error}") from None
        recovery = time.monotonic() - restored
        camera = latest(back, "camera")
        report(
            f"down 10 s ({how})",
            recovery_s=recovery,
            camera_quality=camera["quality"] if camera else None,
            socket_reconnected=any(t > went_down for t in opened),
            media_join_sent=any(t > went_down for t in joins),
            nft_dropped=dropped,
        )
        assert recovery <= RECOVERY_SECONDS, f"media back {recovery:.1f} s after the link"


def down(link: netns.Link, how: str, is_down: bool) -> None:
    if how == "interface":
        link.set_down(is_down)
    elif is_down:
        link.cut()
    else:
        link.restore()
