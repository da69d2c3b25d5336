// MediaSession: this participant's one RTCPeerConnection with the SFU, signalled over the
// RoomClient's Socket.IO connection (media:* in docs/protocol.md). No UI here.
//
//   const media = new MediaSession(client);
//   media.onTrack = (publicationId, track) => …;     // a remote track arrived (or ended)
//   await media.join({ video: true });                // receive what others publish
//   await media.publish("camera", track);             // add, offer (mids say which source)
//   await media.replace("camera", otherTrack);        // switch devices, no renegotiation
//   await media.unpublish("camera");
//   await media.setVideo(false);                      // audio and slides only
//
// Recovery: after a Socket.IO reconnect the session asks for its peer connection back
// (media:join with resume); if the server no longer has it (a restart) or the connection
// itself failed, or the server says the lecture's media moved to another process
// (media:moved), it starts a new one and publishes again what it was publishing. `state`
// (onState) says honestly where media stands: idle, connecting, connected, reconnecting,
// failed (no route for media: another network or a TURN server may help).
//
// Negotiation: every SDP step runs one at a time. The server sends offers when the tracks we
// receive change (we answer); we offer when we publish. If both offer at once, the server
// refuses ours ("glare"): we roll back, answer its offer, and offer again. Candidates ride in
// the SDP: each side finishes gathering before it sends.

import { RoomError } from "./client.js";

/** @typedef {import("./client.js").RoomClient} RoomClient */
/** @typedef {import("./client.js").Ack} Ack */
/** @typedef {import("./state.js").Track} Track */
/** @typedef {"idle" | "connecting" | "connected" | "reconnecting" | "failed"} MediaState */
/** @typedef {{ track: MediaStreamTrack, transceiver: RTCRtpTransceiver, source: string, quality: "high" | "low" }} LocalEntry */

const GATHER_TIMEOUT_MS = 3000;
// A recovery that could not reach the server (its request timed out) tries again after this.
const RETRY_MS = 3000;
// ICE failures in a row, without ever connecting, before the state says "failed".
const FAILURES_BEFORE_GIVING_UP = 2;
// With no candidate pair at all (UDP blocked, no TURN) Chromium stays "connecting" for ever:
// a connection not up after this long counts as failed.
const CONNECT_TIMEOUT_MS = 15000;
const LOW_CAMERA = { width: 320, height: 180, frameRate: 15 };
// Caps per encoding; what is really sent follows the browser's estimate of the link, which
// the SFU's transport-cc feedback drives (signaling/sfu/transport_feedback.py).
const MAX_BITRATE = { low: 300_000, high: 1_700_000, screen: 2_500_000 };

/**
 * @param {RTCPeerConnection} pc
 * @returns {Promise<void>}
 */
function gathered(pc) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      if (pc.iceGatheringState !== "complete") return;
      pc.removeEventListener("icegatheringstatechange", done);
      resolve();
    };
    pc.addEventListener("icegatheringstatechange", done);
    setTimeout(resolve, GATHER_TIMEOUT_MS);
  });
}

// H.264 first (recordings stream-copy it), VP8 next, the rest after.
/** @param {RTCRtpTransceiver} transceiver */
function preferH264(transceiver) {
  const codecs = RTCRtpSender.getCapabilities?.("video")?.codecs;
  if (!codecs || !transceiver.setCodecPreferences) return;
  /** @param {RTCRtpCodec} c */
  const rank = (c) => (c.mimeType === "video/H264" ? 0 : c.mimeType === "video/VP8" ? 1 : 2);
  transceiver.setCodecPreferences([...codecs].sort((a, b) => rank(a) - rank(b)));
}

// The SDP of the description just set: it is there once setLocalDescription resolved.
/** @param {RTCPeerConnection} pc */
function localSdp(pc) {
  const description = pc.localDescription;
  if (!description) throw new Error("no local description");
  return description.sdp;
}

export class MediaSession {
  /** @type {((publicationId: string, track: MediaStreamTrack | null) => void) | null} null when it went away */
  onTrack = null;
  /** @type {((state: MediaState, reason: string | null) => void) | null} see the header */
  onState = null;
  /** @type {Track[]} the latest media:tracks */
  catalogue = [];
  /** @type {MediaState} */
  state = "idle";
  #video = true;
  #wanted = false; // joined once and not closed: recover after any drop
  /** @type {[string, MediaStreamTrack][] | null} [source, track] still to publish again after a rejoin */
  #republish = null;
  /** @type {Promise<void> | null} */
  #recovering = null;
  #failures = 0;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  #retry = undefined;
  /** @type {RoomClient} */
  #client;
  /** @type {RTCPeerConnection | null} */
  #pc = null;
  /** @type {Promise<Ack> | null} */
  #joined = null;
  /** @type {Promise<unknown>} */
  #chain = Promise.resolve();
  /** @type {Record<string, string>} mid -> publication id */
  #mids = {};
  /** @type {Map<string, MediaStreamTrack>} publication id -> track */
  #remote = new Map();
  /** @type {Map<string, LocalEntry>} key (source or source:low) -> what we send */
  #local = new Map();
  /** @type {(() => void)[]} */
  #unsubscribe;
  #closed = false;

  /** @param {RoomClient} client */
  constructor(client) {
    this.#client = client;
    this.#unsubscribe = [
      client.on("media:offer", (offer) => this.#serially(() => this.#answer(offer))),
      client.on("media:tracks", ({ tracks }) => {
        this.catalogue = tracks;
        this.#forgetGone(tracks);
      }),
      // The server process that held the lecture's media is gone and another holds it now:
      // our peer connection leads nowhere, so start a new one without waiting for ICE to fail.
      client.on("media:moved", () => {
        if (this.#joined) this.#recover({ fresh: true });
      }),
      client.on("status", (status) => {
        if (["removed", "ended", "failed", "closed"].includes(status)) this.close();
        else if (status === "reconnecting" && this.#wanted) this.#setState("reconnecting");
        else if (status === "connected" && this.#wanted) this.#recover();
      }),
    ];
  }

  get joined() {
    return this.#joined !== null;
  }

  // The current RTCPeerConnection (null before join and while a rejoin replaces it), for
  // reading statistics; negotiation stays in here.
  get peerConnection() {
    return this.#pc;
  }

  // mid -> publication id of what we receive (the latest server offer's map).
  get mids() {
    return { ...this.#mids };
  }

  get remoteTracks() {
    return new Map(this.#remote);
  }

  // What we publish from `source`, also while a rejoin is about to publish it again.
  /** @param {string} source */
  localTrack(source) {
    const waiting = this.#republish?.find(([key]) => key === source);
    return this.#local.get(source)?.track ?? waiting?.[1] ?? null;
  }

  // Idempotent; resolves once the connection exists and the server knows our preference.
  /**
   * @param {{ video?: boolean }} [options]
   * @returns {Promise<Ack>}
   */
  join({ video = true } = {}) {
    this.#video = video;
    this.#wanted = true;
    if (!this.#joined) {
      const joined = this.#serially(async () => {
        this.#setState("connecting");
        const ack = await this.#client.request("media:join", { video });
        this.#connect(ack.ice_servers ?? []);
        return ack;
      });
      this.#joined = joined;
      joined.catch(() => {
        if (this.#joined === joined) this.#joined = null; // a later join tries again
      });
    }
    return this.#joined;
  }

  /** @param {boolean} video */
  async setVideo(video) {
    this.#video = video;
    await this.join({ video });
    await this.#client.request("media:prefer", { video });
  }

  // Publish a camera, microphone or screen track. A camera also goes out as a low-quality
  // copy (about 320x180, 300 kbps) for the weakest links, unless `low` is false.
  // Adding and offering run as one step, so no other offer carries a half-added track.
  /**
   * @param {string} source
   * @param {MediaStreamTrack} track
   * @param {{ low?: boolean }} [options]
   */
  async publish(source, track, { low = source === "camera" } = {}) {
    await this.join();
    let copy = null;
    if (low) {
      copy = track.clone();
      await copy.applyConstraints(LOW_CAMERA).catch(() => {});
    }
    await this.#serially(async () => {
      await this.#add(source, track, "high");
      if (copy) await this.#add(`${source}:low`, copy, "low");
      await this.#offer();
    });
  }

  // Switch devices: the same publication carries the new track.
  /** @param {string} source @param {MediaStreamTrack} track */
  async replace(source, track) {
    const high = this.#local.get(source);
    if (!high) return;
    await high.transceiver.sender.replaceTrack(track);
    high.track.stop();
    high.track = track;
    const low = this.#local.get(`${source}:low`);
    if (low) {
      const copy = track.clone();
      await copy.applyConstraints(LOW_CAMERA).catch(() => {});
      await low.transceiver.sender.replaceTrack(copy);
      low.track.stop();
      low.track = copy;
    }
  }

  /** @param {string} source */
  async unpublish(source) {
    const republish = this.#republish;
    const waiting = republish?.findIndex(([key]) => key === source) ?? -1;
    if (republish && waiting >= 0) republish.splice(waiting, 1)[0][1].stop();
    for (const key of [source, `${source}:low`]) {
      const entry = this.#local.get(key);
      if (!entry) continue;
      this.#local.delete(key);
      await this.#client.request("media:unpublish", { mid: entry.transceiver.mid });
      entry.track.stop();
      await entry.transceiver.sender.replaceTrack(null);
      entry.transceiver.direction = "inactive";
    }
    await this.#serially(() => this.#offer());
  }

  // Packets received per publication (for "is audio still arriving?").
  async receivedPackets() {
    /** @type {Record<string, number>} */
    const counts = {};
    if (!this.#pc) return counts;
    const stats = await this.#pc.getStats();
    stats.forEach((report) => {
      if (report.type !== "inbound-rtp") return;
      const publication = this.#mids[report.mid];
      if (publication) counts[publication] = report.packetsReceived ?? 0;
    });
    return counts;
  }

  close() {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#retry);
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    for (const { track } of this.#local.values()) track.stop();
    this.#local.clear();
    this.#pc?.close();
    this.#pc = null;
    if (this.#joined) this.#client.request("media:leave").catch(() => {});
  }

  /** @param {RTCIceServer[]} iceServers */
  #connect(iceServers) {
    const pc = new RTCPeerConnection({ iceServers });
    this.#pc = pc;
    pc.addEventListener("track", (event) => this.#received(event));
    pc.addEventListener("connectionstatechange", () => this.#connectionChanged(pc));
    setTimeout(() => {
      if (pc === this.#pc && !this.#closed && pc.connectionState !== "connected") this.#failed();
    }, CONNECT_TIMEOUT_MS);
  }

  /** @param {MediaState} state @param {string | null} [reason] */
  #setState(state, reason = null) {
    if (this.state === state && reason === null) return;
    this.state = state;
    this.onState?.(state, reason);
  }

  /** @param {RTCPeerConnection} pc */
  #connectionChanged(pc) {
    if (pc !== this.#pc || this.#closed) return;
    const state = pc.connectionState;
    if (state === "connected") {
      this.#failures = 0;
      this.#setState("connected");
    } else if (state === "disconnected") {
      // A silence: ICE comes back by itself when the network does (the SFU keeps the pair
      // for about 30 s), which beats any rejoin; "failed" follows if it does not.
      this.#setState("reconnecting");
    } else if (state === "failed") {
      this.#failed();
    }
  }

  #failed() {
    this.#failures += 1;
    if (this.#failures >= FAILURES_BEFORE_GIVING_UP) {
      this.#setState("failed", "no_route");
      return;
    }
    this.#recover({ fresh: true });
  }

  // After a reconnect, or when the peer connection broke. One recovery at a time; one that
  // cannot reach the server now runs again on the next reconnect.
  /** @param {{ fresh?: boolean }} [options] */
  #recover({ fresh = false } = {}) {
    if (this.#closed || this.#recovering || !this.#wanted) return;
    clearTimeout(this.#retry);
    this.#recovering = (async () => {
      this.#setState("reconnecting");
      try {
        if (!fresh && (await this.#resume())) return;
        await this.#rejoin();
      } catch (error) {
        // Only a RoomError's code is ours (a DOMException's numeric legacy code is not).
        const code = error instanceof RoomError ? error.code : null;
        if (code === "timeout" || code === "media_unavailable") {
          // media_unavailable: the process holding the lecture's media is gone (another takes
          // it over within seconds) or every one is full; say so, and keep trying.
          if (code === "media_unavailable") this.#setState("failed", code);
          this.#retry = setTimeout(() => this.#recover({ fresh }), RETRY_MS);
        } else if (code !== "disconnected") {
          this.#setState("failed", code ?? "error"); // a reconnect tries again
        }
      } finally {
        this.#recovering = null;
      }
    })();
  }

  // The server kept our peer connection through a short Socket.IO outage: take it back.
  /** @returns {Promise<boolean>} */
  async #resume() {
    const pc = this.#pc;
    const usable = ["connected", "connecting", "new", "disconnected"];
    if (!pc || !usable.includes(pc.connectionState)) return false;
    return this.#serially(async () => {
      let reoffer = false;
      if (pc.signalingState === "have-local-offer") {
        await pc.setLocalDescription({ type: "rollback" }); // its answer was lost
        reoffer = true;
      }
      const ack = await this.#client.request("media:join", { video: this.#video, resume: true });
      if (!ack.resumed) return false;
      if (reoffer) this.#serially(() => this.#offer());
      if (pc.connectionState === "connected") this.#setState("connected");
      return true;
    });
  }

  // A new peer connection, then every source published again (new publications). The old
  // one is dropped only once the server has answered: if it cannot be reached, the old one
  // may still come back by itself.
  async #rejoin() {
    const before = this.#joined;
    const attempt = this.#serially(async () => {
      const ack = await this.#client.request("media:join", { video: this.#video });
      this.#republish ??= [...this.#local.entries()]
        .filter(([key]) => !key.includes(":"))
        .map(([source, { track }]) => /** @type {[string, MediaStreamTrack]} */ ([source, track]));
      for (const [key, entry] of this.#local) if (key.includes(":")) entry.track.stop();
      this.#local.clear();
      this.#pc?.close();
      this.#mids = {};
      for (const publication of [...this.#remote.keys()]) {
        this.#remote.delete(publication);
        this.onTrack?.(publication, null);
      }
      this.#connect(ack.ice_servers ?? []); // before any offer of the server's is answered
      this.#setState("connecting");
      return ack;
    });
    this.#joined = attempt;
    attempt.catch(() => {
      if (this.#joined === attempt) this.#joined = before; // the old pc stays
    });
    await attempt;
    while (this.#republish?.length) {
      const [source, track] = this.#republish[0];
      if (track.readyState === "live") await this.publish(source, track);
      this.#republish.shift();
    }
    this.#republish = null;
  }

  /**
   * @param {string} key
   * @param {MediaStreamTrack} track
   * @param {"high" | "low"} quality
   */
  async #add(key, track, quality) {
    const transceiver = this.#peer().addTransceiver(track, { direction: "sendonly" });
    this.#local.set(key, { track, transceiver, source: key.split(":")[0], quality });
    if (track.kind === "video") {
      preferH264(transceiver);
      const screen = key === "screen";
      // A shared screen is text: keep every pixel, drop frames instead when the link is short.
      if (screen && "contentHint" in track) track.contentHint = "text";
      const parameters = transceiver.sender.getParameters();
      if (parameters.encodings?.length) {
        parameters.encodings[0].maxBitrate = MAX_BITRATE[screen ? "screen" : quality];
        if (screen || quality === "high") parameters.degradationPreference = "maintain-resolution";
        await transceiver.sender.setParameters(parameters).catch(() => {});
      }
    }
  }

  /**
   * @template T
   * @param {() => T | Promise<T>} step
   * @returns {Promise<T>}
   */
  #serially(step) {
    const run = this.#chain.then(step);
    this.#chain = run.catch(() => {});
    return run;
  }

  // The peer connection publishing and offering need (gone once closed).
  #peer() {
    if (!this.#pc) throw new Error("the media session has no peer connection (closed?)");
    return this.#pc;
  }

  async #offer() {
    const pc = this.#peer();
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    let ack;
    try {
      // What each sending m-line carries, by mid (the SDP's msid ids are not track ids).
      /** @type {Record<string, { source: string, quality: string }>} */
      const tracks = {};
      for (const { transceiver, source, quality } of this.#local.values()) {
        if (transceiver.mid != null) tracks[transceiver.mid] = { source, quality };
      }
      ack = await this.#client.request("media:offer", {
        type: "offer",
        sdp: localSdp(pc),
        tracks,
      });
    } catch (error) {
      if (!(error instanceof RoomError && error.code === "glare")) throw error;
      // The server's offer crossed ours: it is queued behind this step; answer it, then retry.
      await pc.setLocalDescription({ type: "rollback" });
      this.#serially(() => this.#offer());
      return;
    }
    await pc.setRemoteDescription(ack.answer);
  }

  /** @param {{ type: RTCSdpType, sdp: string, tracks?: Record<string, string> }} offer */
  async #answer(offer) {
    await this.#joined;
    const pc = this.#pc;
    if (!pc) return;
    // The offer lists what we receive now: a camera switched to the other quality (weak
    // link) is another publication, and the one it replaces is gone.
    this.#mids = { ...(offer.tracks ?? {}) };
    const current = new Set(Object.values(this.#mids));
    for (const publication of [...this.#remote.keys()]) {
      if (current.has(publication)) continue;
      this.#remote.delete(publication);
      this.onTrack?.(publication, null);
    }
    await pc.setRemoteDescription({ type: offer.type, sdp: offer.sdp });
    // The SFU reuses a finished transceiver for a new publication (a camera quality switch):
    // no track event then, so take each mid's track from its transceiver.
    for (const transceiver of pc.getTransceivers()) {
      const publication = transceiver.mid === null ? undefined : this.#mids[transceiver.mid];
      const track = transceiver.receiver.track;
      if (!publication || this.#remote.get(publication) === track) continue;
      this.#remote.set(publication, track);
      this.onTrack?.(publication, track);
    }
    await pc.setLocalDescription(await pc.createAnswer());
    await gathered(pc);
    await this.#client.request("media:answer", { type: "answer", sdp: localSdp(pc) });
  }

  /** @param {RTCTrackEvent} event */
  #received(event) {
    const mid = event.transceiver.mid;
    const publication = mid === null ? undefined : this.#mids[mid];
    if (!publication) return;
    this.#remote.set(publication, event.track);
    this.onTrack?.(publication, event.track);
  }

  /** @param {Track[]} tracks */
  #forgetGone(tracks) {
    const live = new Set(tracks.map((t) => t.publication_id));
    for (const publication of [...this.#remote.keys()]) {
      if (live.has(publication)) continue;
      this.#remote.delete(publication);
      this.onTrack?.(publication, null);
    }
  }
}
