import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { LinkMeter, SendingMeter, grade } from "../../src/room/media-stats.js";

// Just enough of RTCPeerConnection and RTCStatsReport for the meters: they read transceivers
// (mid, direction, sender track and encodings) and iterate the report's entries.

/** @param {string} kind */
const track = (kind) => /** @type {MediaStreamTrack} */ (/** @type {unknown} */ ({ kind }));

/**
 * @param {{ mid: string, track: MediaStreamTrack, direction?: string, maxBitrate?: number }[]} senders
 * @returns {RTCPeerConnection}
 */
function peer(senders) {
  const transceivers = senders.map(({ mid, track, direction = "sendonly", maxBitrate }) => ({
    mid,
    direction,
    sender: { track, getParameters: () => ({ encodings: [{ maxBitrate }] }) },
  }));
  return /** @type {RTCPeerConnection} */ (/** @type {unknown} */ ({ getTransceivers: () => transceivers }));
}

/** @param {Record<string, unknown>[]} entries @returns {RTCStatsReport} */
const report = (entries) =>
  /** @type {RTCStatsReport} */ (/** @type {unknown} */ (new Map(entries.map((entry, i) => [String(entry.id ?? i), entry]))));

describe("SendingMeter", () => {
  const camera = track("video");
  const microphone = track("audio");
  const pc = peer([
    { mid: "0", track: camera, maxBitrate: 1_500_000 },
    { mid: "1", track: microphone },
  ]);
  const published = new Map([
    ["camera", camera],
    ["microphone", microphone],
  ]);

  /** @param {number} videoBytes @param {number} audioBytes @param {Record<string, unknown>} [extra] */
  const sent = (videoBytes, audioBytes, extra = {}) =>
    report([
      { type: "outbound-rtp", mid: "0", bytesSent: videoBytes, packetsSent: videoBytes / 1000, frameWidth: 1280, frameHeight: 720, framesPerSecond: 30, ...extra },
      { type: "outbound-rtp", mid: "1", bytesSent: audioBytes, packetsSent: audioBytes / 100 },
      { type: "outbound-rtp", mid: "7", bytesSent: 1e9, packetsSent: 1e6 },
    ]);

  test("rates over the window, per published source, from the second sample", () => {
    const meter = new SendingMeter();
    const first = meter.sample(sent(100_000, 10_000), pc, published, 0);
    assert.deepEqual(first.tracks.map((t) => [t.source, t.kind, t.kbps]), [
      ["camera", "video", null],
      ["microphone", "audio", null],
    ]);
    const second = meter.sample(sent(350_000, 18_000), pc, published, 2000);
    const [video, audio] = second.tracks;
    assert.equal(video.kbps, 1000); // 250,000 bytes in 2 s
    assert.equal(audio.kbps, 32);
    assert.deepEqual([video.width, video.height, video.fps], [1280, 720, 30]);
    assert.equal(audio.width, null);
    assert.equal(second.limitedKbps, null);
  });

  test("a new peer connection starts the rates over", () => {
    const meter = new SendingMeter();
    meter.sample(sent(100_000, 10_000), pc, published, 0);
    const other = peer([{ mid: "0", track: camera }, { mid: "1", track: microphone }]);
    const after = meter.sample(sent(5_000, 1_000), other, published, 2000);
    assert.deepEqual(after.tracks.map((t) => t.kbps), [null, null]);
  });

  test("a source that sends nothing grows silent; one that sends is not", () => {
    const meter = new SendingMeter();
    meter.sample(sent(100_000, 10_000), pc, published, 0);
    meter.sample(sent(200_000, 10_000), pc, published, 3000);
    const later = meter.sample(sent(300_000, 10_000), pc, published, 6000);
    const silent = Object.fromEntries(later.tracks.map((t) => [t.source, t.silentMs]));
    assert.deepEqual(silent, { camera: 0, microphone: 6000 });
  });

  test("an unpublished source is forgotten", () => {
    const meter = new SendingMeter();
    meter.sample(sent(100_000, 10_000), pc, published, 0);
    meter.sample(sent(200_000, 20_000), pc, new Map([["camera", camera]]), 2000);
    const back = meter.sample(sent(300_000, 30_000), pc, published, 4000);
    assert.equal(back.tracks.find((t) => t.source === "microphone")?.kbps, null);
  });

  test("the uplink is limited when the encoder says bandwidth and the estimate is below the caps", () => {
    const meter = new SendingMeter();
    /** @param {number} available */
    const limited = (available) =>
      report([
        { type: "outbound-rtp", mid: "0", bytesSent: 1000, packetsSent: 1, qualityLimitationReason: "bandwidth" },
        { id: "T", type: "transport", selectedCandidatePairId: "P" },
        { id: "P", type: "candidate-pair", availableOutgoingBitrate: available },
        { id: "Q", type: "candidate-pair", availableOutgoingBitrate: 9_000_000, nominated: true },
      ]);
    const short = meter.sample(limited(400_000), pc, published, 0);
    assert.equal(short.availableKbps, 400, "the selected pair, not the nominated one");
    assert.equal(short.limitedKbps, 400);
    assert.equal(short.tracks[0].limitation, "bandwidth");
    const ample = meter.sample(limited(2_000_000), pc, published, 2000);
    assert.equal(ample.limitedKbps, null, "our own 1,500 kbps cap holds it back, not the uplink");
  });
});

describe("grade", () => {
  const clean = { loss: 0, jitterMs: 5, freezes: 0, dropped: 0 };
  test("good, fair and poor at the SFU's marks", () => {
    assert.equal(grade(clean), "good");
    assert.equal(grade({ ...clean, loss: 0.02 }), "good");
    assert.equal(grade({ ...clean, loss: 0.03 }), "fair");
    assert.equal(grade({ ...clean, jitterMs: 31 }), "fair");
    assert.equal(grade({ ...clean, dropped: 10 }), "fair");
    assert.equal(grade({ ...clean, freezes: 1 }), "fair");
    assert.equal(grade({ ...clean, loss: 0.09 }), "poor");
    assert.equal(grade({ ...clean, jitterMs: 101 }), "poor");
    assert.equal(grade({ ...clean, freezes: 2 }), "poor");
  });
});

describe("LinkMeter", () => {
  const pc = peer([]);
  /** @param {number} received @param {number} lost @param {number} [jitter] @param {number} [freezes] */
  const arrived = (received, lost, jitter = 0.01, freezes = 0) =>
    report([
      { id: "in-audio", type: "inbound-rtp", packetsReceived: received, packetsLost: lost, jitter },
      { id: "in-video", type: "inbound-rtp", packetsReceived: received * 10, packetsLost: 0, jitter: 0.002, framesDropped: 0, freezeCount: freezes },
    ]);

  test("nothing to say on the first sample or when nothing was expected", () => {
    const meter = new LinkMeter();
    assert.equal(meter.sample(arrived(100, 0), pc), null);
    assert.equal(meter.sample(arrived(100, 0), pc), null);
  });

  test("loss, worst jitter and freezes over the window", () => {
    const meter = new LinkMeter();
    meter.sample(arrived(100, 0), pc);
    const window = meter.sample(arrived(190, 10, 0.05, 1), pc);
    assert.ok(window);
    assert.equal(window.loss, 10 / (90 + 900 + 10));
    assert.equal(window.jitterMs, 50);
    assert.equal(window.freezes, 1);
    assert.equal(window.quality, "fair");
  });

  test("a new peer connection starts over", () => {
    const meter = new LinkMeter();
    meter.sample(arrived(100, 0), pc);
    assert.equal(meter.sample(arrived(200, 0), peer([])), null);
  });
});
