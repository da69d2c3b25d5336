"""Live media as a student sees it: quality received, time to full quality, recovery.

    python bench/media_quality.py [--quick]

One educator and one student, each a headless Chromium page driving the project's own web
client, on a real ``qou-classroom serve`` on 127.0.0.1 (the SFU gathers and accepts ICE on
loopback only). The educator turns on camera, microphone and a 1920x1080 screen of text;
everything is read from the student's ``getStats()`` (what arrived and was decoded), plus the
educator's own estimate of its uplink:

* seconds from "camera on" until the student receives the camera at >= 1 Mbps and >= 640 px;
* camera kbps, width and fps, screen width, kbps and fps, as received in a steady window;
* seconds until the student's video is back after the server is killed and restarted;
* on a shaped link (root only: two network namespaces joined by a veth pair, ``tc tbf`` and
  nftables, as ``tests/test_media_weak_links.py``; the fake camera there is Chromium's own):
  seconds until the student is on the low camera after the link turns to 400 kbps with 5 %
  loss, the share of audio samples concealed on that link over 8 s (4 with ``--quick``),
  and seconds until media is back after the link is down for 10 s.

Figures are per run on this machine; the headline lines are ``RESULT name=value``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from playwright.async_api import Page, async_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests import netns
from tests.browser_media import (
    SCREEN_AND_PEERS,
    camera_file,
    inbound,
    into_lecture,
    outbound,
    publish_all,
    rates,
    received,
    streams,
    until_full_quality,
)
from tests.conftest import Server, start_server
from tests.netns_room import SERVE_FLAGS, classroom, wait_for_media
from tests.test_web_client import CHROMIUM
from tests.test_web_media import LOOPBACK_ICE, MEDIA_ARGS
from tests.test_web_room import create_lecture


async def until_video_back(student: Page, since: float, limit: float) -> float | None:
    """Seconds from ``since`` until the student decodes camera frames again."""
    first = (await inbound(student)).get("camera", {}).get("frames", 0)
    while time.monotonic() - since < limit:
        await asyncio.sleep(0.25)
        now = (await inbound(student)).get("camera")
        if now and now["frames"] != first and now["frames"] > 0:
            later = await received(student, 0.5)
            if later.get("camera", {}).get("fps", 0) > 0:
                return time.monotonic() - since
    return None


async def run(quick: bool) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="media-quality-") as tmp:
        server = start_server(Path(tmp), "sqlite", *LOOPBACK_ICE)
        try:
            async with async_playwright() as playwright, aiohttp.ClientSession() as http:
                camera = f"--use-file-for-fake-video-capture={camera_file(Path(tmp))}"
                browser = await playwright.chromium.launch(
                    executable_path=CHROMIUM, args=[*MEDIA_ARGS, camera]
                )
                pages = []
                for _ in range(2):
                    context = await browser.new_context(locale="en-US")
                    await context.add_init_script(SCREEN_AND_PEERS)
                    pages.append(await context.new_page())
                educator, student = pages
                lecture = await create_lecture(http, server, "Media quality")
                await into_lecture(server, lecture, educator, student)
                since = await publish_all(educator)
                ramp = await until_full_quality(student, since, 30)
                results["camera_seconds_to_1mbps"] = -1 if ramp is None else round(ramp, 1)
                await measure_steady(student, educator, results, 3 if quick else 10)
                await measure_restart(server, student, results, 1 if quick else 3)
                await browser.close()
        finally:
            server.stop()
    return results


async def measure_steady(
    student: Page, educator: Page, results: dict[str, Any], seconds: float
) -> None:
    got = await received(student, seconds)
    camera, screen = got.get("camera", {}), got.get("screen", {})
    results["camera_kbps"] = round(camera.get("kbps", 0))
    results["camera_width"] = int(camera.get("width", 0))
    results["camera_fps"] = round(camera.get("fps", 0), 1)
    results["screen_width"] = int(screen.get("width", 0))
    results["screen_kbps"] = round(screen.get("kbps", 0))
    results["screen_fps"] = round(screen.get("fps", 0), 1)
    sent = await outbound(educator)
    results["educator_estimate_kbps"] = round(sent["available"] / 1000)
    results["educator_sends"] = [
        (t["width"], round(t["fps"]), t["limit"], t["qp"], t["target"], t["encoder"], t["changes"])
        for t in sent["tracks"].values()
    ]
    results["educator_camera_settings"] = await educator.evaluate(
        "() => window.qouRoomMedia.localTrack('camera')?.getSettings()"
    )


async def measure_restart(
    server: Server, student: Page, results: dict[str, Any], times: int
) -> None:
    seconds = []
    for _ in range(times):
        killed = time.monotonic()
        await asyncio.to_thread(server.restart)
        back = await until_video_back(student, killed, 30)
        seconds.append(-1 if back is None else round(back, 1))
        await asyncio.sleep(2)
    results["restart_recovery_seconds"] = max(seconds) if -1 not in seconds else -1
    results["restart_recovery_all"] = seconds


async def measure_shaped(results: dict[str, Any], repeats: int, listen: float) -> dict[str, Any]:
    """Layer switch, concealed audio and link-loss recovery on a shaped veth link."""
    if (why := netns.missing()) is not None:
        print(f"shaped link skipped: {why}")
        return results
    switches, concealed, recoveries = [], [], []
    with tempfile.TemporaryDirectory(prefix="media-shaped-") as tmp, netns.two_namespaces() as link:
        async with classroom(link, Path(tmp), SERVE_FLAGS, "Shaped") as room:
            for _ in range(repeats):
                async with room.student() as student:
                    link.clear()
                    link.rate(2000)
                    await wait_for_media(student, quality="high")
                    link.rate(400)
                    link.loss(5)
                    worse = time.monotonic()
                    await wait_for_media(student, within=30, quality="low", max_width=320)
                    switches.append(time.monotonic() - worse)
                    start = await streams(student)
                    await asyncio.sleep(listen)
                    concealed.append(rates(start, await streams(student))["audio"]["concealed"])
                    link.clear()
                    await asyncio.sleep(2)
                    link.cut()
                    await asyncio.sleep(10)
                    link.restore()
                    back = time.monotonic()
                    await wait_for_media(student, within=30)
                    recoveries.append(time.monotonic() - back)
    results["layer_switch_seconds"] = round(max(switches), 2)
    results["concealed_audio_ratio_at_5pct_loss"] = round(max(concealed), 4)
    results["link_loss_recovery_seconds"] = round(max(recoveries), 2)
    results["shaped_runs"] = {
        "switch_s": [round(x, 2) for x in switches],
        "concealed": [round(x, 4) for x in concealed],
        "recovery_s": [round(x, 2) for x in recoveries],
    }
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="one short pass of each part (about a minute each)"
    )
    args = parser.parse_args()
    for part in (
        lambda: run(args.quick),
        lambda: measure_shaped({}, 1 if args.quick else 3, 4 if args.quick else 8),
    ):
        report(asyncio.run(part()))


def report(results: dict[str, Any]) -> None:
    for name, value in results.items():
        if isinstance(value, (int, float)):
            print(f"RESULT {name}={value}", flush=True)
        else:
            print(f"{name}: {value}", flush=True)


if __name__ == "__main__":
    main()
