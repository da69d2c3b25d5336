// Waiting for an uploaded video to become playable (or to fail).

import { ApiError, getVideo } from "./api.js";
import { pause } from "./wait.js";

const POLL_MS = 2000;

// Asks every 2 s; resolves with the video once it is no longer processing, or with null when
// `signal` aborts or the video can no longer be read (deleted, say). A lost connection only
// means asking again later.
export async function untilProcessed(videoId, signal) {
  while (!signal.aborted) {
    await pause(POLL_MS, signal);
    if (signal.aborted) break;
    try {
      const video = await getVideo(videoId);
      if (video.status !== "processing") return video;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status !== 0) return null;
    }
  }
  return null;
}
