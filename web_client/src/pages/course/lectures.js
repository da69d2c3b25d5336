// The course's lectures, upcoming and live first, then past ones, with times in the user's own
// time zone. Everyone enters live lectures; the course's educators also enter scheduled ones
// to prepare them, schedule new ones, and start and end them.

import { endLecture, listLectures, startLecture } from "../../api.js";
import { h } from "../../dom.js";
import { attempt, errorLine } from "../../feedback.js";
import { t } from "../../i18n.js";
import { formatDateTime } from "../../time.js";
import { button } from "../../ui.js";
import { createLectureForm } from "./lecture-form.js";

export function createLectures({ courseId, manages, timeZone }, initial) {
  const error = errorLine("lecture-error");
  const list = h("div", { class: "lecture-groups", "data-testid": "lecture-list" });

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
      { class: "lecture-item", "data-testid": "lecture-item", "data-status": lecture.status },
      h(
        "div",
        { class: "lecture-what" },
        h("h4", { class: "lecture-title", dir: "auto" }, lecture.title),
        h(
          "p",
          { class: "muted" },
          h("time", { datetime: lecture.scheduled_start }, formatDateTime(lecture.scheduled_start, timeZone)),
          ` · ${t("course.lecture.minutes", { minutes: lecture.duration_minutes })} `,
          h(
            "span",
            { class: `badge status-${lecture.status}`, "data-testid": "lecture-status" },
            t(`lecture.status.${lecture.status}`),
          ),
        ),
      ),
      actions(lecture),
    );
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
  }

  show(initial);
  return h(
    "section",
    { class: "course-section lectures" },
    h("h2", {}, t("course.lectures")),
    h("p", { class: "muted" }, t("course.lectures.zone", { zone: timeZone })),
    manages && createLectureForm(courseId, timeZone, reload),
    error,
    list,
  );
}
