"""The judgements of ``web_client/src/room/media-stats.js`` on statistics shaped as Chromium's.

The browser tests (tests/test_web_media_state.py) show the figures on a real connection; the
cases a loopback link cannot produce (an uplink short of what the encoders may send, a new peer
connection's counters starting over, a lossy download) are checked here, by running the module
in Node (which builds the web client) on ``getStats()``-shaped reports.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import unless_missing

MODULE = Path(__file__).resolve().parent.parent / "web_client" / "src" / "room" / "media-stats.js"
NODE = shutil.which("node")
pytestmark = unless_missing(None if NODE else "node is not installed (it builds the web client)")

SCRIPT = """
const { SendingMeter, LinkMeter, grade } = await import(process.argv[1]);
const camera = { kind: "video", id: "cam" };
const microphone = { kind: "audio", id: "mic" };
function peer(cap = 1_700_000) {
  const transceiver = (mid, track, maxBitrate) => ({
    mid, direction: "sendonly",
    sender: { track, getParameters: () => ({ encodings: maxBitrate ? [{ maxBitrate }] : [] }) },
  });
  return { getTransceivers: () => [transceiver("0", camera, cap), transceiver("1", microphone)] };
}
const report = (entries) => new Map(entries.map((e, i) => [e.id ?? String(i), e]));
const out = (mid, packets, bytes, extra = {}) =>
  ({ type: "outbound-rtp", mid, packetsSent: packets, bytesSent: bytes, ...extra });
const pair = (bps) => ({ id: "pair", type: "candidate-pair", nominated: true,
  availableOutgoingBitrate: bps });
const published = new Map([["camera", camera], ["microphone", microphone]]);
const results = {};

// Flowing, then silent.
let meter = new SendingMeter();
const pc = peer();
meter.sample(report([out("0", 10, 1000), out("1", 10, 500)]), pc, published, 0);
results.flowing = meter.sample(report([
  out("0", 210, 251_000, { frameWidth: 1280, frameHeight: 720, qualityLimitationReason: "none" }),
  out("1", 110, 8_500), pair(5_000_000),
]), pc, published, 2000);
results.silent = meter.sample(report([out("0", 210, 251_000), out("1", 110, 8_500)]),
  pc, published, 8000);

// Never connected: no peer connection, no statistics.
meter = new SendingMeter();
meter.sample(null, null, published, 0);
results.unconnected = meter.sample(null, null, published, 6000);

// Bandwidth-limited: by a short uplink, or only by our own cap.
const limited = (available, cap) => new SendingMeter().sample(report([
  out("0", 100, 10_000, { qualityLimitationReason: "bandwidth" }), pair(available),
]), peer(cap), published, 0).limitedKbps;
results.shortUplink = limited(400_000, 1_700_000);
results.ownCap = limited(5_000_000, 1_700_000);
results.uncapped = limited(5_000_000, null);

// A new peer connection (a rejoin): its counters start over.
meter = new SendingMeter();
meter.sample(report([out("0", 5000, 900_000)]), peer(), published, 0);
results.rejoined = meter.sample(report([out("0", 12, 3_000)]), peer(), published, 2000);

// Receiving.
const link = new LinkMeter();
const inbound = (received, lost, jitter, extra = {}) => ({ id: "in-v", type: "inbound-rtp",
  kind: "video", packetsReceived: received, packetsLost: lost, jitter, ...extra });
results.firstLook = link.sample(report([inbound(100, 0, 0.002)]), pc);
results.lossy = link.sample(report([inbound(195, 5, 0.004, { framesDropped: 1 })]), pc);
results.jittery = link.sample(report([inbound(295, 5, 0.2)]), pc);
results.nothing = link.sample(report([inbound(295, 5, 0.2)]), pc);
results.grades = [
  grade({ loss: 0, jitterMs: 5, freezes: 0, dropped: 0 }),
  grade({ loss: 0.03, jitterMs: 5, freezes: 0, dropped: 0 }),
  grade({ loss: 0.1, jitterMs: 5, freezes: 0, dropped: 0 }),
  grade({ loss: 0, jitterMs: 5, freezes: 2, dropped: 0 }),
];
console.log(JSON.stringify(results));
"""


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    done = subprocess.run(
        [str(NODE), "--input-type=module", "-e", SCRIPT, MODULE.as_uri()],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    parsed: dict[str, Any] = json.loads(done.stdout)
    return parsed


def by_source(sample: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {track["source"]: track for track in sample["tracks"]}


def test_what_is_sent_is_measured_per_source(results: dict[str, Any]) -> None:
    flowing = by_source(results["flowing"])
    camera, microphone = flowing["camera"], flowing["microphone"]
    assert camera["kbps"] == pytest.approx(1000)  # 250,000 bytes in 2 s
    assert (camera["width"], camera["height"], camera["silentMs"]) == (1280, 720, 0)
    assert microphone["kbps"] == pytest.approx(32)
    assert results["flowing"]["availableKbps"] == 5000
    assert results["flowing"]["limitedKbps"] is None
    # Six seconds without a packet.
    assert {t["silentMs"] for t in results["silent"]["tracks"]} == {6000}
    assert {t["kbps"] for t in results["silent"]["tracks"]} == {0}


def test_a_track_that_never_left_counts_as_silent(results: dict[str, Any]) -> None:
    tracks = by_source(results["unconnected"])
    camera = tracks["camera"]
    assert (camera["packets"], camera["kbps"], camera["silentMs"]) == (0, 0, 6000)


def test_the_upload_warning_names_a_short_uplink_not_our_own_cap(results: dict[str, Any]) -> None:
    assert results["shortUplink"] == 400
    assert results["ownCap"] is None  # 5 Mbps available, the camera capped at 1.7 Mbps
    assert results["uncapped"] == 5000  # no cap: the encoder wants more than the uplink gives


def test_a_new_peer_connection_starts_its_counters_over(results: dict[str, Any]) -> None:
    camera = by_source(results["rejoined"])["camera"]
    assert camera["silentMs"] == 0  # it sent packets: not silent
    assert camera["kbps"] is None  # no rate from another connection's counters


def test_link_quality_from_what_arrived_in_the_window(results: dict[str, Any]) -> None:
    assert results["firstLook"] is None  # nothing to compare with yet
    lossy = results["lossy"]
    assert lossy["loss"] == pytest.approx(0.05)  # 5 lost of 100 expected
    assert (lossy["quality"], lossy["dropped"], round(lossy["jitterMs"])) == ("fair", 1, 4)
    assert results["jittery"]["quality"] == "poor"  # 200 ms of jitter
    assert results["nothing"] is None  # nothing arrived or was lost
    assert results["grades"] == ["good", "fair", "poor", "poor"]
