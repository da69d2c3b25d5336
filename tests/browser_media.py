"""What a page really sends and receives, read from ``getStats()`` in headless Chromium.

Shared by the media browser tests and ``bench/media_quality.py``: both judge media the way a
student sees it (resolution, bitrate, frame rate as received), not by bytes leaving the SFU.
Pages must carry ``SCREEN_AND_PEERS`` as an init script: it gives headless Chromium a screen
to share (a canvas of text at ``SCREEN_SIZE``) and lists the page's peer connections.
"""

from __future__ import annotations

import asyncio
import subprocess
import time
from pathlib import Path
from typing import Any

import imageio_ffmpeg
from playwright.async_api import Page, expect

from tests.conftest import Server
from tests.test_web_room import enter_room, wait_until_live

SCREEN_SIZE = (1920, 1080)
CAMERA_SIZE = (1280, 720)
FULL_KBPS = 1000
"""What a 720p camera needs; the fake camera at the issue's bar: 1280 wide at >= 1 Mbps."""


def camera_file(directory: Path) -> Path:
    """A 720p, 20 fps moving picture with grain, for ``--use-file-for-fake-video-capture``.

    Chromium's built-in fake camera is a flat picture with one moving dot, which an encoder
    sends at a few hundred kbps whatever the link allows: it cannot show whether the link or
    the content limits quality. This clip (2 s, looped by Chromium) is busy enough that the
    encoder uses the bitrate it is given, as a real camera on a person would."""
    path = directory / "camera.y4m"
    if not path.exists():
        subprocess.run(
            [
                imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi",
                "-i", f"testsrc2=size={CAMERA_SIZE[0]}x{CAMERA_SIZE[1]}:rate=20",
                "-t", "2", "-pix_fmt", "yuv420p", str(path),
            ],
            check=True,
        )  # fmt: skip
    return path


# The page's peer connections, for reading their statistics.
PEER_LIST = """
window.qouPeerConnections = [];
const NativePeerConnection = window.RTCPeerConnection;
window.RTCPeerConnection = function (...args) {
  const pc = new NativePeerConnection(...args);
  window.qouPeerConnections.push(pc);
  return pc;
};
window.RTCPeerConnection.prototype = NativePeerConnection.prototype;
"""

SCREEN_AND_PEERS = (
    """
navigator.mediaDevices.getDisplayMedia = async () => {
  const [w, h] = [WIDTH, HEIGHT];
  const canvas = document.createElement("canvas");
  canvas.width = w; canvas.height = h;
  const g = canvas.getContext("2d");
  g.fillStyle = "#fff"; g.fillRect(0, 0, w, h);
  g.fillStyle = "#123"; g.font = "22px sans-serif";
  for (let y = 40; y < h; y += 32) g.fillText(`Lecture notes, line ${y}: small text`, 40, y);
  let n = 0;
  setInterval(() => {  // a document being scrolled and pointed at: part of it changes
    n++;
    g.fillStyle = `hsl(${(n * 7) % 360}, 70%, 45%)`;
    g.fillRect(w - 420, 40 + (n * 9) % (h - 200), 380, 140);
    g.fillStyle = "#fff"; g.fillText(`frame ${n}`, w - 400, 100 + (n * 9) % (h - 200));
  }, 66);
  return canvas.captureStream(15);
};
""".replace("WIDTH", str(SCREEN_SIZE[0])).replace("HEIGHT", str(SCREEN_SIZE[1]))
    + PEER_LIST
)

# Per received RTP stream (SSRC): its source and quality by the page's mid map and catalogue,
# and its counters. Kept per SSRC so that a stream that stopped (Chromium keeps its stats) is
# told from the one playing now: when the SFU switches a viewer's camera quality it may reuse
# the transceiver (same mid; seen: the same SSRC too) or open another.
_STREAMS = """async () => {
  const media = window.qouRoomMedia;
  const sources = new Map((media?.catalogue ?? []).map((t) => [t.publication_id, t]));
  const out = {};
  for (const pc of window.qouPeerConnections ?? []) {
    if (pc.connectionState === "closed") continue;
    (await pc.getStats()).forEach((r) => {
      if (r.type !== "inbound-rtp") return;
      const entry = sources.get(media?.mids[r.mid]);
      if (!entry) return;
      out[r.ssrc] = {
        source: entry.kind === "audio" ? "audio" : entry.source, quality: entry.quality,
        bytes: r.bytesReceived ?? 0, frames: r.framesDecoded ?? 0, width: r.frameWidth ?? 0,
        height: r.frameHeight ?? 0,
        samples: r.totalSamplesReceived ?? 0, concealed: r.concealedSamples ?? 0,
        packets: r.packetsReceived ?? 0, lost: r.packetsLost ?? 0,
        last: r.lastPacketReceivedTimestamp ?? 0, at: performance.now(),
      };
    });
  }
  return out;
}"""

Streams = dict[str, dict[str, Any]]


async def streams(page: Page) -> Streams:
    """What the page receives now, per SSRC (see ``_STREAMS``)."""
    result: Streams = await page.evaluate(_STREAMS)
    return result


def latest(snapshot: Streams, source: str) -> dict[str, Any] | None:
    """The stream of ``source`` that received a packet last (the one playing now)."""
    found = [s for s in snapshot.values() if s["source"] == source]
    return max(found, key=lambda s: s["last"]) if found else None


def rates(first: Streams, last: Streams) -> dict[str, dict[str, Any]]:
    """Per source between two snapshots: kbps, fps, the width and quality of the stream
    playing at the end, and for audio the share of samples concealed and of packets lost."""
    out: dict[str, dict[str, Any]] = {}
    for source in {s["source"] for s in last.values()}:
        playing = latest(last, source)
        assert playing is not None
        total = dict.fromkeys(("bytes", "frames", "samples", "concealed", "packets", "lost"), 0.0)
        seconds = 0.0
        for ssrc, now in last.items():
            if now["source"] != source:
                continue
            then = first.get(ssrc, dict.fromkeys(total, 0) | {"at": now["at"]})
            seconds = max(seconds, (now["at"] - then["at"]) / 1000)
            for key in total:
                total[key] += now[key] - then[key]
        seconds = seconds or 1e-9
        expected = total["packets"] + total["lost"]
        out[source] = {
            "kbps": total["bytes"] * 8 / seconds / 1000,
            "fps": total["frames"] / seconds,
            "width": playing["width"],
            "quality": playing["quality"],
            "samples": total["samples"],
            "concealed": total["concealed"] / total["samples"] if total["samples"] else 0.0,
            "lost": total["lost"] / expected if expected else 0.0,
        }
    return out


# Per sent track: bytes, size, what limits it; and the transport's bandwidth estimate.
_OUTBOUND = """async () => {
  const out = { tracks: {}, available: 0 };
  for (const pc of window.qouPeerConnections ?? []) {
    if (pc.connectionState === "closed") continue;
    (await pc.getStats()).forEach((r) => {
      if (r.type === "outbound-rtp" && r.kind === "video") {
        out.tracks[r.mid] = { bytes: r.bytesSent, width: r.frameWidth ?? 0,
          fps: r.framesPerSecond ?? 0, limit: r.qualityLimitationReason, at: performance.now(),
          qp: r.framesEncoded ? r.qpSum / r.framesEncoded : null, target: r.targetBitrate,
          encoder: r.encoderImplementation, changes: r.qualityLimitationResolutionChanges,
          durations: r.qualityLimitationDurations };
      }
      if (r.type === "candidate-pair" && r.nominated && r.availableOutgoingBitrate) {
        out.available = Math.max(out.available, r.availableOutgoingBitrate);
      }
    });
  }
  return out;
}"""


async def inbound(page: Page) -> Streams:
    """Per source ("camera", "screen", "audio") the counters of the stream playing now."""
    snapshot = await streams(page)
    found = {source: latest(snapshot, source) for source in ("camera", "screen", "audio")}
    return {source: stream for source, stream in found.items() if stream is not None}


async def outbound(page: Page) -> dict[str, Any]:
    result: dict[str, Any] = await page.evaluate(_OUTBOUND)
    return result


async def receive_codecs(page: Page, kind: str) -> set[str]:
    """The codecs negotiated for receiving ``kind`` on the page's live peer connections."""
    codecs: list[str] = await page.evaluate(
        """(kind) => (window.qouPeerConnections ?? [])
          .filter((pc) => pc.connectionState !== "closed")
          .flatMap((pc) => pc.getReceivers())
          .filter((r) => r.track.kind === kind)
          .flatMap((r) => r.getParameters().codecs.map((c) => c.mimeType.toLowerCase()))""",
        kind,
    )
    return set(codecs)


async def received(page: Page, seconds: float = 2.0) -> dict[str, dict[str, Any]]:
    """Per source over ``seconds``: see ``rates``."""
    before = await streams(page)
    await asyncio.sleep(seconds)
    return rates(before, await streams(page))


async def into_lecture(server: Server, lecture: int, educator: Page, student: Page) -> None:
    """The educator, then student1, in the live room."""
    for page, name in ((educator, "educator"), (student, "student1")):
        await enter_room(page, server, name, lecture)
        await wait_until_live(page)


async def publish_all(educator: Page) -> float:
    """Turn on camera, microphone and screen; the moment the camera was asked for."""
    started = time.monotonic()
    for source in ("camera", "microphone", "screen"):
        await educator.get_by_test_id(f"toggle-{source}").click()
        await expect(educator.get_by_test_id(f"toggle-{source}")).to_have_attribute(
            "aria-pressed", "true", timeout=30_000
        )
    return started


async def until_full_quality(student: Page, since: float, limit: float) -> float | None:
    """Seconds from ``since`` until the camera arrives at full quality, None if never."""
    while time.monotonic() - since < limit:
        camera = (await received(student, 1.0)).get("camera")
        if camera and camera["kbps"] >= FULL_KBPS and camera["width"] >= CAMERA_SIZE[0]:
            return time.monotonic() - since
    return None
