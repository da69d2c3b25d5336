// What this page really sends and receives, read from its RTCPeerConnection's getStats().
// No UI here; pages/room/media-panel.js shows it.
//
//   const sending = new SendingMeter();
//   const link = new LinkMeter();
//   every ~2 s:
//     const report = pc ? await pc.getStats() : null;
//     sending.sample(report, pc, published, performance.now()) -> { tracks, availableKbps, limitedKbps }
//     link.sample(report, pc, performance.now())               -> { quality, loss, jitterMs, … } | null
//
// `published` maps a source ("camera", "microphone", "screen") to the track published for it;
// other sending tracks (the low camera copy) are not reported. Counters are compared with the
// previous sample of the same peer connection only: a new one (after a rejoin) starts over.

export const SAMPLE_MS = 2000;
// A published track that has sent nothing for this long is "not reaching the class" (when the
// connection is not up: the panel decides).
export const SILENT_MS = 5000;

// Link quality from what was received in the last window; the SFU moves a viewer to the low
// camera at 8 % loss and back at 2 % (docs/protocol.md), the same marks.
const POOR = { loss: 0.08, jitterMs: 100, freezes: 2 };
const FAIR = { loss: 0.02, jitterMs: 30, freezes: 1, dropped: 10 };

// A report entry's fields depend on its `type` ("outbound-rtp", "candidate-pair", …); lib.dom
// types RTCStatsReport's values as any, and each use below reads the fields of the one type it
// filtered for.
/**
 * @param {RTCStatsReport | null | undefined} report
 * @param {(entry: any) => void} fn
 */
function forEach(report, fn) {
  report?.forEach?.((entry) => fn(entry));
}

// mid -> the track its sender carries now.
/** @param {RTCPeerConnection | null | undefined} pc */
function sentTracks(pc) {
  /** @type {Map<string, MediaStreamTrack>} */
  const tracks = new Map();
  for (const transceiver of pc?.getTransceivers?.() ?? []) {
    if (transceiver.mid != null && transceiver.sender?.track) tracks.set(transceiver.mid, transceiver.sender.track);
  }
  return tracks;
}

// What the video senders may send at most, in kbps (their encodings' maxBitrate caps; Infinity
// when one has none): an encoder held back by our own cap is not a short uplink.
/** @param {RTCPeerConnection | null | undefined} pc */
function videoCapsKbps(pc) {
  let total = 0;
  for (const transceiver of pc?.getTransceivers?.() ?? []) {
    const track = transceiver.sender?.track;
    if (!track || track.kind !== "video" || !["sendonly", "sendrecv"].includes(transceiver.direction)) continue;
    const cap = transceiver.sender.getParameters?.().encodings?.[0]?.maxBitrate;
    total += cap ? cap / 1000 : Infinity;
  }
  return total;
}

// The transport's estimate of what the uplink carries, in kbps (null when unknown).
/**
 * @param {RTCStatsReport | null | undefined} report
 * @returns {number | null}
 */
function availableKbps(report) {
  /** @type {string | null} */
  let selected = null;
  forEach(report, (entry) => {
    if (entry.type === "transport" && entry.selectedCandidatePairId) selected = entry.selectedCandidatePairId;
  });
  /** @type {number | null} */
  let best = null;
  forEach(report, (entry) => {
    if (entry.type !== "candidate-pair" || !entry.availableOutgoingBitrate) return;
    if (selected ? entry.id !== selected : !entry.nominated) return;
    best = Math.max(best ?? 0, entry.availableOutgoingBitrate / 1000);
  });
  return best;
}

/**
 * One published source over the last window.
 * @typedef {{ source: string, kind: string, kbps: number | null, packets: number, width: number | null, height: number | null, fps: number | null, limitation: string, silentMs: number }} SentTrack
 * @typedef {{ tracks: SentTrack[], availableKbps: number | null, limitedKbps: number | null }} Sending
 * @typedef {{ loss: number, jitterMs: number, dropped: number, freezes: number }} LinkFigures
 * @typedef {"good" | "fair" | "poor"} LinkQuality
 */

export class SendingMeter {
  /** @type {Map<string, { pc: RTCPeerConnection | null, track: MediaStreamTrack, bytes: number, packets: number, at: number }>} */
  #previous = new Map();
  /** @type {Map<string, { track: MediaStreamTrack, at: number }>} when each source last sent a packet (or was published) */
  #lastGrowth = new Map();

  // Per published source: kind, kbps over the window, frame size, what limits it, and how long
  // it has sent nothing (silentMs); the uplink estimate; and, when the encoder says bandwidth
  // limits a video track and the uplink estimate is below what the senders may send, the rate
  // the uplink is limited to (limitedKbps, else null).
  /**
   * @param {RTCStatsReport | null} report
   * @param {RTCPeerConnection | null} pc
   * @param {Map<string, MediaStreamTrack>} published
   * @param {number} now ms, as performance.now()
   * @returns {Sending}
   */
  sample(report, pc, published, now) {
    const bySource = new Map();
    const tracks = sentTracks(pc);
    forEach(report, (entry) => {
      if (entry.type !== "outbound-rtp" || entry.mid == null) return;
      const track = tracks.get(entry.mid);
      for (const [source, publishedTrack] of published) {
        if (publishedTrack === track) bySource.set(source, entry);
      }
    });
    const available = availableKbps(report);
    const out = [];
    let bandwidthLimited = false;
    for (const [source, track] of published) {
      const entry = bySource.get(source);
      const bytes = entry?.bytesSent ?? 0;
      const packets = entry?.packetsSent ?? 0;
      const before = this.#previous.get(source);
      const same = before && before.pc === pc && before.track === track;
      const grew = same ? packets > before.packets : packets > 0;
      let growth = this.#lastGrowth.get(source);
      if (!growth || growth.track !== track || grew) {
        growth = { track, at: now };
        this.#lastGrowth.set(source, growth);
      }
      const seconds = same ? (now - before.at) / 1000 : 0;
      const kbps = same && seconds > 0 ? Math.max(0, bytes - before.bytes) * 8 / 1000 / seconds : null;
      this.#previous.set(source, { pc, track, bytes, packets, at: now });
      const limitation = entry?.qualityLimitationReason ?? "none";
      if (track.kind === "video" && limitation === "bandwidth") bandwidthLimited = true;
      out.push({
        source,
        kind: track.kind,
        kbps,
        packets,
        width: entry?.frameWidth ?? null,
        height: entry?.frameHeight ?? null,
        fps: entry?.framesPerSecond ?? null,
        limitation,
        silentMs: now - growth.at,
      });
    }
    for (const source of [...this.#previous.keys()]) {
      if (!published.has(source)) {
        this.#previous.delete(source);
        this.#lastGrowth.delete(source);
      }
    }
    const total = out.reduce((sum, track) => sum + (track.kbps ?? 0), 0);
    const short = available === null || available < videoCapsKbps(pc);
    return {
      tracks: out,
      availableKbps: available,
      limitedKbps: bandwidthLimited && short ? Math.round(available ?? total) : null,
    };
  }
}

// good / fair / poor from the window's figures.
/**
 * @param {LinkFigures} figures
 * @returns {LinkQuality}
 */
export function grade({ loss, jitterMs, freezes, dropped }) {
  if (loss > POOR.loss || jitterMs > POOR.jitterMs || freezes >= POOR.freezes) return "poor";
  if (loss > FAIR.loss || jitterMs > FAIR.jitterMs || freezes >= FAIR.freezes || dropped >= FAIR.dropped) {
    return "fair";
  }
  return "good";
}

export class LinkMeter {
  /** @type {RTCPeerConnection | null} */
  #pc = null;
  /** @type {Map<string, { received: number, lost: number, dropped: number, freezes: number }>} inbound-rtp id -> its counters */
  #previous = new Map();

  // What arrived in the window over every received track: the fraction of packets lost, the
  // worst jitter (ms), video frames dropped and freezes; null when nothing was expected.
  /**
   * @param {RTCStatsReport | null} report
   * @param {RTCPeerConnection | null} pc
   * @returns {(LinkFigures & { quality: LinkQuality }) | null}
   */
  sample(report, pc) {
    if (pc !== this.#pc) {
      this.#pc = pc;
      this.#previous.clear();
    }
    let received = 0;
    let lost = 0;
    let jitterMs = 0;
    let dropped = 0;
    let freezes = 0;
    const seen = new Map();
    forEach(report, (entry) => {
      if (entry.type !== "inbound-rtp") return;
      const now = {
        received: entry.packetsReceived ?? 0,
        lost: entry.packetsLost ?? 0,
        dropped: entry.framesDropped ?? 0,
        freezes: entry.freezeCount ?? 0,
      };
      seen.set(entry.id, now);
      const before = this.#previous.get(entry.id);
      if (!before) return;
      const got = Math.max(0, now.received - before.received);
      received += got;
      lost += Math.max(0, now.lost - before.lost);
      dropped += Math.max(0, now.dropped - before.dropped);
      freezes += Math.max(0, now.freezes - before.freezes);
      if (got > 0) jitterMs = Math.max(jitterMs, (entry.jitter ?? 0) * 1000);
    });
    this.#previous = seen;
    if (received + lost === 0) return null;
    const figures = { loss: lost / (received + lost), jitterMs, dropped, freezes };
    return { quality: grade(figures), ...figures };
  }
}
