// Who you are in this room (role, presenter, muted), whether the lecture has started and is
// being recorded, and the educator's "start lecture" (while it is scheduled), "start/stop
// recording" (while it is live) and "end lecture".

import { h } from "../../dom.js";
import { t } from "../../i18n.js";
import { isEducator } from "./roles.js";
import { button, setToggle } from "./ui.js";

export function createLectureBar(client, feedback) {
  const role = h("span", { class: "badge" });
  const presenter = h("span", { class: "badge accent" }, t("room.roster.presenter"));
  const muted = h("span", { class: "badge", "data-testid": "you-muted" }, t("room.you.muted"));
  const end = button(
    "end-lecture",
    t("room.end"),
    () => {
      if (window.confirm(t("room.end.confirm"))) feedback.act(() => client.endLecture());
    },
    { class: "button danger" },
  );
  const start = button(
    "room-start",
    t("room.start"),
    async () => {
      start.disabled = true;
      await feedback.act(() => client.startLecture());
      start.disabled = false;
    },
    { class: "button primary" },
  );
  const notStarted = h(
    "span",
    { class: "badge accent", "data-testid": "room-scheduled" },
    t("room.scheduled"),
  );
  const recording = h(
    "span",
    { class: "badge status-live", role: "status", "data-testid": "recording-indicator" },
    `● ${t("room.recording")}`,
  );
  let recordingOn = false;
  const record = button("recording-toggle", t("room.recording.start"), async () => {
    record.disabled = true;
    await feedback.act(() => client.setRecording(!recordingOn));
    record.disabled = false;
  });
  // The class's attendance so far, in a tab of its own (the room stays open).
  const attendance = h(
    "a",
    { class: "button", target: "_blank", rel: "noopener", "data-testid": "room-attendance" },
    t("attendance.link"),
  );
  const badges = h("div", { class: "badges" }, role, presenter, muted, notStarted, recording);
  const element = h(
    "div",
    { class: "lecture-bar" },
    badges,
    h("div", { class: "lecture-actions" }, start, record, attendance, end),
  );

  function update(state) {
    const scheduled = state.lecture.status === "scheduled";
    role.textContent = t(`role.${state.you.role}`);
    presenter.hidden = !state.you.presenter;
    muted.hidden = !state.you.muted;
    notStarted.hidden = !scheduled;
    start.hidden = !isEducator(state) || !scheduled;
    end.hidden = !isEducator(state);
    attendance.hidden = !isEducator(state);
    attendance.setAttribute("href", `/lectures/${state.lecture.id}/attendance`);
    recordingOn = Boolean(state.recording);
    recording.hidden = !recordingOn;
    record.hidden = !isEducator(state) || state.lecture.status !== "live";
    setToggle(record, recordingOn, "room.recording.start", "room.recording.stop");
  }

  return { element, events: ["roster:updated", "roster:muted", "lecture:started", "recording:state"], update };
}
