// The honest side of the media panel: where the media connection stands (and, when it failed,
// why and what to try), what this page really sends, and how well it receives. Figures come
// from the peer connection's own statistics every ~2 s (room/media-stats.js), so a camera that
// is "on" but reaches nobody says so, on the toggle too.
//
// The state shown is the MediaSession's (onState), with one judgement of our own: media that
// is still not up NO_ROUTE_MS after it started trying, while the room's own connection works,
// is shown as failed for want of a route (with the advice). A browser whose ICE candidates can
// never reach the SFU (no usable network path, no TURN) may stay "connecting" for ever, and
// one whose checks go unanswered takes about 30 s per attempt to call it "failed": the user
// should not wait for either. Should the connection form after all, the state says so.

import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { LinkMeter, SAMPLE_MS, SendingMeter, SILENT_MS } from "../../room/media-stats.js";

const SOURCES = ["camera", "microphone", "screen"];
const NO_ROUTE_MS = 20_000;
const TRYING = new Set(["connecting", "reconnecting"]);

function rate(kbps) {
  if (kbps >= 1000) return t("room.media.mbps", { n: (kbps / 1000).toFixed(1) });
  return t("room.media.kbps", { n: Math.round(kbps) });
}

// Live regions announce every change: touch the text only when it differs.
function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

function show(element, visible) {
  if (element.hidden === visible) element.hidden = !visible;
}

// media: the MediaSession; signalling(): the room connection's status ("connected" when
// Socket.IO works); toggles: source -> its start/stop button; preview: the local <video>.
export function createMediaStatus(media, signalling, toggles, preview) {
  const stateLine = h("p", {
    class: "media-state",
    "data-testid": "media-state",
    role: "status",
    "aria-live": "polite",
    hidden: true,
  });
  const advice = h("p", {
    class: "media-advice warning",
    "data-testid": "media-advice",
    role: "alert",
    "aria-live": "assertive",
    hidden: true,
  });
  const sending = h("ul", { class: "media-sending", "data-testid": "media-sending", hidden: true });
  const lines = new Map(); // source -> <li>
  const uploadLimited = h("p", { class: "warning", "data-testid": "upload-limited", hidden: true });
  const notReaching = Object.fromEntries(
    SOURCES.map((source) => [
      source,
      h(
        "p",
        {
          class: "warning",
          id: `not-reaching-${source}`,
          "data-testid": "not-reaching",
          "data-source": source,
          hidden: true,
        },
        t(`room.media.notReaching.${source}`),
      ),
    ]),
  );
  const warnings = h(
    "div",
    { class: "media-warnings", "aria-live": "polite" },
    uploadLimited,
    ...Object.values(notReaching),
  );
  const grade = h("span", { class: "link-grade", "data-testid": "link-grade", "aria-live": "polite" });
  const figures = h("span", { class: "muted link-figures", "data-testid": "link-figures" });
  const link = h("p", { class: "link-quality", "data-testid": "link-quality", hidden: true }, grade, " ", figures);
  const element = h("div", { class: "media-status", "data-testid": "media-status" }, stateLine, advice, sending, warnings, link);

  const sendingMeter = new SendingMeter();
  const linkMeter = new LinkMeter();
  let latest = null; // the last sending sample
  /** @type {{ state: import("../../room/media.js").MediaState, reason: string | null }} the MediaSession's word */
  let reported = { state: media.state, reason: null };
  let troubleSince = null; // since when media is not up while signalling is

  // onState: what the MediaSession says.
  /** @param {import("../../room/media.js").MediaState} state @param {string | null} [reason] */
  function showState(state, reason = null) {
    reported = { state, reason };
    render();
  }

  function render() {
    const now = performance.now();
    if (!TRYING.has(reported.state) || signalling() !== "connected") troubleSince = null;
    else troubleSince ??= now;
    const noRoute = troubleSince !== null && now - troubleSince > NO_ROUTE_MS;
    const { state, reason } = noRoute ? { state: "failed", reason: "no_route" } : reported;
    element.dataset.judged = noRoute ? "page" : "media";
    element.dataset.state = state;
    stateLine.dataset.state = state;
    show(stateLine, state !== "idle");
    setText(stateLine, state === "idle" ? "" : t(`room.media.state.${state}`));
    if (state === "failed") {
      advice.dataset.reason = reason ?? "error";
      setText(
        advice,
        reason === "no_route" || reason === "media_unavailable"
          ? t(`room.media.failed.${reason}`)
          : t("room.media.failed.error", { code: reason ?? "error" }),
      );
    }
    show(advice, state === "failed");
    showReach();
  }

  // A published track that sent nothing for SILENT_MS while media is not connected reaches
  // nobody: say so beside the figures and on its toggle (which still says "Stop camera").
  function showReach() {
    const tracks = new Map((latest?.tracks ?? []).map((track) => [track.source, track]));
    for (const source of SOURCES) {
      const toggle = toggles[source];
      const track = tracks.get(source);
      const lost = Boolean(track) && track.silentMs > SILENT_MS && media.state !== "connected";
      const flowing = Boolean(track) && track.packets > 0 && track.silentMs <= SILENT_MS;
      show(notReaching[source], lost);
      toggle.dataset.reaching = lost ? "no" : flowing ? "yes" : ""; // "": off, or just started
      toggle.classList.toggle("not-reaching", lost);
      if (lost) toggle.setAttribute("aria-describedby", notReaching[source].id);
      else toggle.removeAttribute("aria-describedby");
      if (source === "camera") preview.classList.toggle("not-reaching", lost);
    }
  }

  function showSending(sample) {
    latest = sample;
    show(sending, sample.tracks.length > 0);
    for (const [source, line] of lines) {
      if (sample.tracks.some((track) => track.source === source)) continue;
      line.remove();
      lines.delete(source);
    }
    for (const track of sample.tracks) {
      let line = lines.get(track.source);
      if (!line) {
        line = h("li", { "data-testid": "sending", "data-source": track.source });
        lines.set(track.source, line);
        sending.append(line);
      }
      const name = t(`room.media.source.${track.source}`);
      let text;
      if (track.silentMs > SILENT_MS) text = t("room.media.sending.nothing", { source: name });
      else if (track.kbps === null || track.packets === 0) text = t("room.media.sending.starting", { source: name });
      else if (track.kind === "video" && track.width) {
        text = t("room.media.sending.video", { source: name, width: track.width, height: track.height, rate: rate(track.kbps) });
      } else text = t("room.media.sending.audio", { source: name, rate: rate(track.kbps) });
      setText(line, text);
      line.dataset.kbps = String(Math.round(track.kbps ?? 0));
      line.dataset.width = String(track.width ?? 0);
      line.dataset.height = String(track.height ?? 0);
      line.dataset.limitation = track.limitation;
    }
    const limited = sample.limitedKbps;
    if (limited !== null) {
      setText(uploadLimited, t("room.media.uploadLimited", { kbps: limited }));
      uploadLimited.dataset.kbps = String(limited);
    }
    show(uploadLimited, limited !== null);
    showReach();
  }

  function showLink(sample) {
    show(link, sample !== null);
    if (!sample) return;
    link.dataset.quality = sample.quality;
    setText(grade, t(`room.media.link.${sample.quality}`));
    const text = t("room.media.link.figures", {
      loss: (sample.loss * 100).toFixed(1),
      jitter: Math.round(sample.jitterMs),
      dropped: sample.dropped,
      freezes: sample.freezes,
    });
    setText(figures, text);
    link.title = text;
  }

  async function sample() {
    const pc = media.peerConnection;
    const live = pc && pc.connectionState !== "closed" ? pc : null;
    const published = new Map();
    for (const source of SOURCES) {
      const track = media.localTrack(source);
      if (track && track.readyState === "live") published.set(source, track);
    }
    const report = live ? await live.getStats() : null;
    showSending(sendingMeter.sample(report, live, published, performance.now()));
    showLink(linkMeter.sample(report, live));
    render();
  }

  let busy = false;
  let shown = false;
  const timer = setInterval(async () => {
    // The room page went away (left, ended): stop reading.
    if (element.isConnected) shown = true;
    else if (shown) clearInterval(timer);
    if (busy || !element.isConnected) return;
    busy = true;
    try {
      await sample();
    } catch {
      // A connection closed under us: the next sample reads the new one.
    } finally {
      busy = false;
    }
  }, SAMPLE_MS);

  render();
  return { element, showState, close: () => clearInterval(timer) };
}
