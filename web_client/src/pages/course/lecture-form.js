// The educator's form to schedule a lecture: the start is entered as a wall-clock time in the
// user's own time zone and sent with that zone's offset.

import { scheduleLecture } from "../../api.js";
import { h } from "../../dom.js";
import { attempt, errorLine } from "../../feedback.js";
import { t } from "../../i18n.js";
import { zonedToIso } from "../../time.js";
import { control, field } from "../../ui.js";

const DEFAULT_MINUTES = 60;

export function createLectureForm(courseId, timeZone, onScheduled) {
  const error = errorLine("lecture-form-error");
  const submit = h("button", { type: "submit", class: "button primary" }, t("course.lecture.schedule"));
  const form = h(
    "form",
    { class: "card inline-form", "data-testid": "lecture-form" },
    h("h3", {}, t("course.lecture.new")),
    field(
      "lecture-title",
      t("course.lecture.title"),
      h("input", { id: "lecture-title", name: "title", required: true, maxlength: 200, dir: "auto" }),
    ),
    field(
      "lecture-starts-at",
      t("course.lecture.startsAt", { zone: timeZone }),
      h("input", {
        id: "lecture-starts-at",
        name: "scheduled_start",
        type: "datetime-local",
        required: true,
      }),
    ),
    field(
      "lecture-duration",
      t("course.lecture.duration"),
      h("input", {
        id: "lecture-duration",
        name: "duration_minutes",
        type: "number",
        min: 5,
        max: 600,
        step: 5,
        value: DEFAULT_MINUTES,
        required: true,
      }),
    ),
    error,
    submit,
  );

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const [title, scheduled_start, duration_minutes] = ["title", "scheduled_start", "duration_minutes"].map(
      (name) => control(form, name),
    );
    const lecture = {
      title: title.value.trim(),
      scheduled_start: zonedToIso(scheduled_start.value, timeZone),
      duration_minutes: Number(duration_minutes.value),
    };
    submit.disabled = true;
    const scheduled = await attempt(error, () => scheduleLecture(courseId, lecture));
    submit.disabled = false;
    if (!scheduled) return;
    form.reset();
    await onScheduled();
  });

  return form;
}
