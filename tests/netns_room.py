"""A live lecture across the two namespaces of ``tests/netns.py``.

The real server (``qou-classroom serve``) runs in the server namespace at ``ORIGIN``; the
educator's Chromium runs beside it (camera and microphone on, published from the start); the
student's Chromium runs in the student namespace, so everything the student gets crosses the
shaped veth link. This process reaches the server's HTTP API through sockets made in the
server namespace (``Namespace.socket_factory``), never through the machine's own network.

The SFU gathers on and accepts only the link's subnet (``--ice-address``/``--ice-allow``), so no
candidate pair can leave the namespaces. Neither page is on loopback, so both Chromiums treat
``ORIGIN`` as secure (``getUserMedia`` needs it).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect

from tests.browser_media import SCREEN_AND_PEERS, Streams, latest, streams
from tests.conftest import ADMIN, CLI, PASSWORD, SECRET_KEY, Server, run_cli
from tests.netns import SERVER_IP, SUBNET, Link, Namespace, chromium_in
from tests.test_web_client import CHROMIUM
from tests.test_web_media import MEDIA_ARGS
from tests.test_web_room import create_lecture, enter_room, user_id, wait_until_live

PORT = 8080  # the server namespace is the test's own: nothing else listens there
ORIGIN = f"http://{SERVER_IP}:{PORT}"
SERVE_FLAGS = ("--host", SERVER_IP, "--ice-address", SERVER_IP, "--ice-allow", SUBNET)
BROWSER_ARGS = [
    *(arg for arg in MEDIA_ARGS if arg != "--allow-loopback-in-peer-connection"),
    f"--unsafely-treat-insecure-origin-as-secure={ORIGIN}",
]
MEDIA_SECONDS = 30.0


def start_server(namespace: Namespace, data_dir: Path, flags: Sequence[str]) -> Server:
    """A seeded SQLite server listening in ``namespace`` (ended when the namespace goes)."""
    data_flags = ["--data-dir", str(data_dir)]
    run_cli("demo", "--password", PASSWORD, *data_flags)
    run_cli("create-user", ADMIN[0], "--role", "admin", "--password", ADMIN[1], *data_flags)
    command = [
        *CLI, "serve", "--port", str(PORT), "--log-level", "warning", *data_flags, *flags,
    ]  # fmt: skip
    log = data_dir / "server.log"
    process = namespace.popen(command, log.open("ab"), env={"QOU_SECRET_KEY": SECRET_KEY})
    try:
        namespace.wait_listening(SERVER_IP, PORT, process)
    except RuntimeError as error:
        raise RuntimeError(f"{error}: {log.read_text()[-3000:]}") from None
    return Server(ORIGIN, data_flags, process, log, command)


@dataclass
class Classroom:
    link: Link
    server: Server
    http: aiohttp.ClientSession
    educator: Page
    student_browser: Browser
    lecture_id: int
    educator_id: int
    tmp: Path

    @asynccontextmanager
    async def student(self, username: str = "student1") -> AsyncIterator[Page]:
        """The student's page in the room (a fresh browser context, closed afterwards): a
        new media connection, so the SFU's choice of camera starts afresh too."""
        context = await self.student_browser.new_context(locale="en-US")
        errors: list[str] = []
        try:
            await context.add_init_script(SCREEN_AND_PEERS)
            page = await context.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            await enter_room(page, self.server, username, self.lecture_id)
            await wait_until_live(page)
            yield page
        finally:
            await context.close()
        assert errors == [], f"script errors in the student's page: {errors}"


async def _educator_page(browser: Browser, classroom_server: Server, lecture_id: int) -> Page:
    context: BrowserContext = await browser.new_context(locale="en-US")
    await context.add_init_script(SCREEN_AND_PEERS)
    page = await context.new_page()
    await enter_room(page, classroom_server, "educator", lecture_id)
    await wait_until_live(page)
    for source in ("camera", "microphone"):
        await page.get_by_test_id(f"toggle-{source}").click()
        await expect(page.get_by_test_id(f"toggle-{source}")).to_have_attribute(
            "aria-pressed", "true", timeout=MEDIA_SECONDS * 1000
        )
    return page


@asynccontextmanager
async def classroom(
    link: Link, tmp: Path, server_flags: Sequence[str], title: str
) -> AsyncIterator[Classroom]:
    """Server, both browsers, a started lecture and the educator publishing camera and
    microphone. Everything is closed on exit; the caller deletes the namespaces."""
    async with AsyncExitStack() as stack:
        data_dir = tmp / "data"
        data_dir.mkdir()
        server = start_server(link.server, data_dir, server_flags)
        stack.callback(server.stop)
        http = await stack.enter_async_context(
            aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(socket_factory=link.server.socket_factory),
                cookie_jar=aiohttp.CookieJar(unsafe=True),
            )
        )
        playwright = await stack.enter_async_context(async_playwright())
        browsers = []
        for namespace in (link.server, link.student):
            browser = await playwright.chromium.launch(
                executable_path=chromium_in(namespace, tmp, CHROMIUM), args=BROWSER_ARGS
            )
            stack.push_async_callback(browser.close)
            browsers.append(browser)
        lecture_id = await create_lecture(http, server, title)
        educator = await _educator_page(browsers[0], server, lecture_id)
        yield Classroom(
            link=link,
            server=server,
            http=http,
            educator=educator,
            student_browser=browsers[1],
            lecture_id=lecture_id,
            educator_id=await user_id(http, server, "educator"),
            tmp=tmp,
        )


def report(name: str, **figures: Any) -> None:
    shown = " ".join(
        f"{key}={value:.3g}" if isinstance(value, float) else f"{key}={value}"
        for key, value in figures.items()
    )
    print(f"\nMEASURED {name}: {shown}")


async def wait_for_media(
    page: Page,
    within: float = MEDIA_SECONDS,
    quality: str | None = None,
    max_width: int | None = None,
) -> Streams:
    """Waits until the page decodes new camera frames (on the stream playing now, labelled
    ``quality`` and decoded at most ``max_width`` wide if given) and plays new real (not
    concealed) audio; returns the streams then. Raises AssertionError with what was seen
    when that does not happen within ``within`` s.

    The width matters after a quality switch on a reused transceiver: the label changes with
    the SFU's offer, while frames of the old quality may still be on their way."""
    first = await streams(page)
    deadline = time.monotonic() + within
    while True:
        now = await streams(page)
        camera, audio = latest(now, "camera"), latest(now, "audio")
        wanted = camera is not None and (quality is None or camera["quality"] == quality)
        if camera is not None and max_width is not None:
            wanted = wanted and 0 < camera["width"] <= max_width
        if camera and audio and wanted:
            ssrc = next(k for k, v in now.items() if v is camera)
            audio_ssrc = next(k for k, v in now.items() if v is audio)
            frames = camera["frames"] - first.get(ssrc, {}).get("frames", 0)
            before = first.get(audio_ssrc)
            heard = audio_heard(audio) - (audio_heard(before) if before else 0)
            if frames >= 3 and heard > 0:
                return now
        if time.monotonic() > deadline:
            raise AssertionError(f"no media within {within} s: first {first}, last {now}")
        await asyncio.sleep(0.1)


def audio_heard(counters: dict[str, Any]) -> float:
    """Samples that came from packets (received minus concealed)."""
    return float(counters["samples"] - counters["concealed"])
