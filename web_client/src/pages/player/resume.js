// Watching resumes where you stopped: the position is saved every 5 s while playing, on pause
// and when the page is left. Saving is best effort; a lost save costs a few seconds.

import { savePosition } from "../../api.js";

const SAVE_EVERY_MS = 5000;
const NEAR_END_S = 2;

// Where to start: the saved position, unless that was (near) the end.
/** @param {number} saved @param {number | null | undefined} duration */
export const startingPoint = (saved, duration) =>
  duration != null && saved >= duration - NEAR_END_S ? 0 : saved;

/**
 * @param {HTMLVideoElement} video
 * @param {import("../../api.js").Id} videoId
 * @param {AbortSignal} signal
 */
export function keepPosition(video, videoId, signal) {
  function save() {
    // Before metadata (or while a new stream attaches) currentTime says nothing.
    if (video.readyState < HTMLMediaElement.HAVE_METADATA) return;
    savePosition(videoId, video.currentTime).catch(() => {});
  }
  const timer = setInterval(() => {
    if (!video.paused) save();
  }, SAVE_EVERY_MS);
  video.addEventListener("pause", save);
  window.addEventListener("pagehide", save);
  signal.addEventListener("abort", () => {
    save();
    clearInterval(timer);
    video.removeEventListener("pause", save);
    window.removeEventListener("pagehide", save);
  });
}
