// The live lecture room at /lectures/{id}: joins (trying again every few seconds while the
// lecture has not started, waiting in the lobby until admitted), then shows the live view;
// says so when the connection drops, the lecture ends, you are removed or not admitted.
// Leaving the page closes the connection.

import { ApiError, getLecture } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { RoomClient, RoomError } from "../room/client.js";
import { pause } from "../wait.js";
import { createFeedback, describeRoomError } from "./room/feedback.js";
import { createLiveView } from "./room/live-view.js";
import {
  connectionBanner,
  deniedNotice,
  endedNotice,
  failedNotice,
  lobbyNotice,
  lockedNotice,
  notStartedNotice,
  removedNotice,
} from "./room/notices.js";

const RETRY_NOT_STARTED_MS = 3000; // and while the room is locked
const FINAL = new Set(["removed", "denied", "ended", "failed"]);

// Where to go once the lecture is over: its course page (which shows the recording's status),
// or the course's office hours for an office-hour meeting.
function wayOn(lecture, meeting) {
  return meeting
    ? { href: `/courses/${lecture.course_id}/office-hours`, label: t("room.ended.officeHours") }
    : { href: `/courses/${lecture.course_id}#lecture-${lecture.id}`, label: t("room.ended.course") };
}

function finalNotice(error, way) {
  if (error?.code === "removed") return removedNotice();
  if (error?.code === "lobby_denied") return deniedNotice();
  if (error?.code === "lecture_ended") return endedNotice(way);
  return failedNotice(describeRoomError(error ?? new RoomError("failed", "")));
}

export async function roomPage({ params, signal }) {
  const lectureId = Number(params.lectureId);
  const lecture = await getLecture(lectureId);
  const title = h(
    "h1",
    { class: "room-title", dir: "auto", "data-testid": "room-title" },
    lecture.title,
  );
  const banner = connectionBanner();
  const feedback = createFeedback();
  const body = h("div", { class: "room-body" }, h("p", { class: "muted", role: "status" }, t("loading")));
  let client = null;
  signal.addEventListener("abort", () => client?.close());

  // One RoomClient per attempt; resolves once joined or for good refused.
  async function attempt() {
    client = new RoomClient();
    let view = null;
    client.on("lobby:wait", (waiting) => body.replaceChildren(lobbyNotice(waiting.you)));
    client.on("status", (status, error) => {
      banner.show(status);
      if (!view || !FINAL.has(status)) return;
      const way = wayOn(lecture, client.state?.media?.meeting);
      body.replaceChildren(finalNotice(error, way));
      // The educator who ended it goes on at once, to see what became of the recording.
      if (error?.byYou) location.assign(way.href);
    });
    client.onChange = (state, event) => {
      if (!view) {
        view = createLiveView(client, feedback, state);
        body.replaceChildren(view.element);
      }
      title.textContent = state.lecture.title;
      view.update(state, event);
    };
    await client.join(lectureId);
  }

  async function enter() {
    while (!signal.aborted) {
      try {
        await attempt();
        return;
      } catch (error) {
        if (!(error instanceof ApiError || error instanceof RoomError)) throw error;
        if (signal.aborted) return;
        if (error.code !== "not_started" && error.code !== "room_locked") {
          body.replaceChildren(finalNotice(error, wayOn(lecture, false)));
          return;
        }
        // Both pass: the lecture starts, or the educator unlocks the room.
        const waiting = error.code === "room_locked" ? "room-locked" : "not-started";
        if (!body.querySelector(`[data-testid=${waiting}]`)) {
          body.replaceChildren(waiting === "room-locked" ? lockedNotice() : notStartedNotice(lecture));
        }
        await pause(RETRY_NOT_STARTED_MS, signal);
      }
    }
  }

  enter();
  return h("section", { class: "room" }, title, banner.element, feedback.element, body);
}
