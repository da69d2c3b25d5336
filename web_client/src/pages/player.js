// A video's page at /videos/{id}: the player (hls.js, a quality menu with "audio only", the
// MP4 download and, for a recorded lecture, the download with its slides, resuming where you
// stopped; for a recorded lecture its chapters, slides and chat following playback), what the
// video is, and for the course's educators the edit form, delete and the processing jobs. A
// video still processing is waited for.

import { ApiError, getCourse, getPosition, getVideo, listSubtitles } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { untilProcessed } from "../processing.js";
import { managesCourse } from "../roles.js";
import { createChaptersEdit } from "./player/chapters-edit.js";
import { createQualityMenu } from "./player/quality-menu.js";
import { createReplay } from "./player/replay.js";
import { keepPosition, startingPoint } from "./player/resume.js";
import { openStream } from "./player/stream.js";
import { createSubtitlesEdit } from "./player/subtitles-edit.js";
import { createVideoEdit } from "./player/video-edit.js";
import { createVideoInfo } from "./player/video-info.js";
import { createVideoJobs } from "./player/video-jobs.js";

// Whether the user manages the video's course; a public video's viewer may not even see it.
async function managesVideo(video, user) {
  try {
    return managesCourse(await getCourse(video.course_id), user);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status === 401) throw error;
    return false;
  }
}

async function buildPlayer(video, saved, signal) {
  const element = h("video", { class: "player", controls: true, playsinline: true, "data-testid": "player" });
  const problem = h("p", { class: "error", role: "alert", hidden: true });
  const fail = (key) => {
    problem.textContent = t(key);
    problem.hidden = false;
  };
  keepPosition(element, video.id, signal); // before the stream is torn down on abort
  // Uploaded subtitles, one track per language (live captions come with the replay below).
  for (const track of (await listSubtitles(video.id)).items) {
    element.append(
      h("track", { kind: "subtitles", src: track.url, srclang: track.language, label: track.language, "data-testid": "subtitle-track" }),
    );
  }
  let stream = null;
  const menu = createQualityMenu((value) => stream.select(value));
  stream = await openStream(element, video.master_url, startingPoint(saved, video.duration_seconds), {
    onQualities: menu.show,
    onError: () => fail("player.error"),
  });
  if (stream) signal.addEventListener("abort", () => stream.destroy());
  else fail("player.unsupported");
  const download = h(
    "a",
    { class: "button", href: video.download_url, download: "", "data-testid": "download-link" },
    t("player.download"),
  );
  // A recorded lecture's export with its slides and the camera in a corner, once made.
  const composed =
    video.composed_url &&
    h(
      "a",
      { class: "button", href: video.composed_url, download: "", "data-testid": "download-composed-link" },
      t("player.downloadComposed"),
    );
  // No picture (a lecture recorded with a microphone and slides): say so beside the controls.
  const soundOnly =
    video.height == null &&
    h("p", { class: "player-notice", "data-testid": "player-audio-only" }, t("player.audioOnly"));
  const box = h(
    "div",
    { class: "player-box" },
    element,
    soundOnly,
    problem,
    h("div", { class: "player-tools" }, menu.element, download, composed),
  );
  // A recorded lecture: chapters, its slides and chat beside the video, following playback.
  const replay = await createReplay(video, element, signal);
  return replay ? h("div", { class: "player-with-replay" }, box, replay) : box;
}

// A failed video's notice also says why to its educators (the API gives others no `error`).
function statusNotice(video) {
  const key = video.status === "failed" ? "player.failed" : "player.processing";
  const reason =
    video.status === "failed" &&
    video.error &&
    h("span", { dir: "auto", "data-testid": "player-error" }, t("player.failed.reason", { error: video.error }));
  return h(
    "p",
    { class: "card player-notice", role: "status", "data-testid": "player-status" },
    t(key),
    reason && " ",
    reason,
  );
}

export async function playerPage({ user, params, signal }) {
  const videoId = Number(params.videoId);
  const [video, position] = await Promise.all([getVideo(videoId), getPosition(videoId)]);
  const manages = await managesVideo(video, user);
  const info = createVideoInfo(video);
  const stage = h("div", { class: "player-stage" });

  async function showPlayer(ready) {
    stage.replaceChildren(await buildPlayer(ready, position.seconds, signal));
  }

  if (video.status === "ready") {
    await showPlayer(video);
  } else {
    stage.replaceChildren(statusNotice(video));
    if (video.status === "processing") {
      untilProcessed(videoId, signal).then((done) => {
        if (!done) return;
        if (done.status === "ready") showPlayer(done);
        else stage.replaceChildren(statusNotice(done));
      });
    }
  }

  return h(
    "section",
    { class: "player-page" },
    h("p", {}, h("a", { href: `/courses/${video.course_id}` }, t("player.backToCourse"))),
    info.element,
    stage,
    manages &&
      h(
        "div",
        { class: "video-manage" },
        createVideoEdit(video, info.show),
        createSubtitlesEdit(videoId),
        video.status === "ready" &&
          createChaptersEdit(videoId, {
            currentTime: () => stage.querySelector("video")?.currentTime ?? 0,
            onSaved: () => showPlayer(video),
          }),
        createVideoJobs(videoId, signal),
      ),
  );
}
