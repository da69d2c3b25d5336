// The course's lectures, upcoming and live first, then past ones, with times in the user's own
// time zone, and what became of each past lecture's recording. Everyone enters live lectures;
// the course's educators also enter scheduled ones to prepare them, schedule new ones, and
// start and end them. The room sends whoever leaves an ended lecture to #lecture-{id}: that
// lecture is marked and said to have ended.

import { endLecture, listLectures, startLecture } from "../../api.js";
import { h } from "../../dom.js";
import { attempt, errorLine } from "../../feedback.js";
import { t } from "../../i18n.js";
import { untilProcessed } from "../../processing.js";
import { formatDateTime } from "../../time.js";
import { button } from "../../ui.js";
import { createLectureForm } from "./lecture-form.js";

// An ended lecture's recording: none, processing (redrawn once processed), ready or failed.
function recordingLine(recording, signal) {
  const status = recording?.status ?? "none";
  const line = h(
    "p",
    {
      class: `lecture-recording recording-${status}`,
      "data-testid": "lecture-recording",
      "data-recording": status,
    },
    h("span", { "data-testid": "lecture-recording-status" }, t(`lecture.recording.${status}`)),
    status === "ready" &&
      h(
        "a",
        { class: "button", href: `/videos/${recording.video_id}`, "data-testid": "lecture-recording-watch" },
        t("lecture.recording.watch"),
      ),
  );
  if (status === "processing") {
    untilProcessed(recording.video_id, signal).then((video) => {
      if (video) line.replaceWith(recordingLine({ video_id: video.id, status: video.status }, signal));
    });
  }
  return line;
}

export function createLectures({ courseId, manages, timeZone, signal }, initial) {
  const error = errorLine("lecture-error");
  const list = h("div", { class: "lecture-groups", "data-testid": "lecture-list" });
  const justEnded = h("p", {
    class: "card lecture-just-ended",
    role: "status",
    "data-testid": "lecture-just-ended",
    hidden: true,
  });

  async function reload() {
    const answer = await attempt(error, () => listLectures(courseId));
    if (answer) show(answer.value.items);
  }

  // Start or end, then the list as it now is.
  async function act(action) {
    if (await attempt(error, action)) await reload();
  }

  function actions(lecture) {
    const live = lecture.status === "live";
    const scheduled = lecture.status === "scheduled";
    return h(
      "div",
      { class: "lecture-actions" },
      (live || (manages && scheduled)) &&
        h(
          "a",
          { class: "button primary", href: `/lectures/${lecture.id}`, "data-testid": "lecture-enter" },
          t("course.lecture.enter"),
        ),
      manages &&
        scheduled &&
        button("lecture-start", t("course.lecture.start"), () => act(() => startLecture(lecture.id))),
      !scheduled &&
        h(
          "a",
          { class: "button", href: `/lectures/${lecture.id}/attendance`, "data-testid": "lecture-attendance" },
          t("attendance.link"),
        ),
      manages &&
        live &&
        button(
          "lecture-end",
          t("room.end"),
          () => {
            if (window.confirm(t("room.end.confirm"))) act(() => endLecture(lecture.id));
          },
          { class: "button danger" },
        ),
    );
  }

  function item(lecture) {
    return h(
      "li",
      {
        class: "lecture-item",
        id: `lecture-${lecture.id}`,
        "data-testid": "lecture-item",
        "data-status": lecture.status,
        "data-lecture-id": lecture.id,
      },
      h(
        "div",
        { class: "lecture-what" },
        h("h4", { class: "lecture-title", dir: "auto" }, lecture.title),
        h(
          "p",
          { class: "muted" },
          h("time", { datetime: lecture.scheduled_start }, formatDateTime(lecture.scheduled_start, timeZone)),
          ` · ${t("course.lecture.minutes", { count: lecture.duration_minutes })} `,
          h(
            "span",
            { class: `badge status-${lecture.status}`, "data-testid": "lecture-status" },
            t(`lecture.status.${lecture.status}`),
          ),
        ),
        lecture.status === "ended" && recordingLine(lecture.recording, signal),
      ),
      actions(lecture),
    );
  }

  // The lecture the address names, if it has ended: marked, in view, and said so above the list.
  function markJustEnded(lectures) {
    const id = /^#lecture-(\d+)$/.exec(location.hash)?.[1];
    const lecture = lectures.find((l) => String(l.id) === id && l.status === "ended");
    justEnded.hidden = !lecture;
    if (!lecture) return;
    justEnded.textContent = t("lecture.justEnded", { title: lecture.title });
    const element = list.querySelector(`#lecture-${lecture.id}`);
    if (!element) return;
    element.classList.add("highlight");
    requestAnimationFrame(() => element.scrollIntoView({ block: "center" }));
  }

  function group(titleKey, emptyKey, lectures) {
    return h(
      "div",
      { class: "lecture-group" },
      h("h3", {}, t(titleKey)),
      lectures.length
        ? h("ul", { class: "lecture-items" }, ...lectures.map(item))
        : h("p", { class: "muted" }, t(emptyKey)),
    );
  }

  function show(lectures) {
    const past = lectures.filter((l) => l.status === "ended").reverse(); // latest first
    const coming = lectures.filter((l) => l.status !== "ended");
    list.replaceChildren(
      group("course.lectures.upcoming", "course.lectures.noUpcoming", coming),
      group("course.lectures.past", "course.lectures.noPast", past),
    );
    markJustEnded(lectures);
  }

  show(initial);
  return h(
    "section",
    { class: "course-section lectures" },
    h("h2", {}, t("course.lectures")),
    h("p", { class: "muted" }, t("course.lectures.zone", { zone: timeZone })),
    manages && createLectureForm(courseId, timeZone, reload),
    error,
    justEnded,
    list,
  );
}
