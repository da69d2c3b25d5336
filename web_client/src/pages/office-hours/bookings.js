// Bookings in this course, soonest first, as the student or the educator sees them: when (in
// the user's own zone), with whom, and the meeting room's link, which is enabled from shortly
// before the slot until its end (re-checked every few seconds while the page is open).

import { h } from "../../dom.js";
import { attempt, errorLine } from "../../feedback.js";
import { t } from "../../i18n.js";
import { formatDateTime } from "../../time.js";
import { button } from "../../ui.js";
import { pause } from "../../wait.js";
import { JOIN_EARLY_MS, cancelBooking, listBookings, meetingState } from "./api.js";

const RECHECK_MS = 5000;

function joinControl(booking, timeZone) {
  const state = meetingState(booking);
  if (state === "open") {
    return h(
      "a",
      { class: "button primary", href: booking.join_url, "data-testid": "booking-join" },
      t("oh.join"),
    );
  }
  if (state === "early") {
    const opens = new Date(Date.parse(booking.starts_at) - JOIN_EARLY_MS).toISOString();
    return h(
      "span",
      { class: "muted", "data-testid": "booking-join-later" },
      h("button", { type: "button", class: "button", disabled: true }, t("oh.join")),
      " ",
      t("oh.opensAt", { time: formatDateTime(opens, timeZone) }),
    );
  }
  return null;
}

export function createBookings({ courseId, user, signal, onReschedule }) {
  const error = errorLine("booking-error");
  const list = h("ul", { class: "lecture-items", "data-testid": "booking-list" });
  let bookings = [];

  function item(booking) {
    const student = booking.student_id === user.id;
    const other = student ? booking.educator_name : booking.student_name;
    const booked = booking.status === "booked";
    const upcoming = booked && meetingState(booking) === "early";
    return h(
      "li",
      { class: "lecture-item", "data-testid": "booking-item", "data-status": booking.status },
      h(
        "div",
        { class: "lecture-what" },
        h(
          "h4",
          { class: "lecture-title" },
          h("time", { datetime: booking.starts_at }, formatDateTime(booking.starts_at, user.time_zone)),
        ),
        h(
          "p",
          { class: "muted" },
          t(student ? "oh.withEducator" : "oh.withStudent"),
          " ",
          h("bdi", { "data-testid": "booking-with" }, other ?? "?"),
          " ",
          h("span", { class: `badge status-${booking.status}` }, t(`oh.status.${booking.status}`)),
        ),
      ),
      h(
        "div",
        { class: "lecture-actions" },
        booked && joinControl(booking, user.time_zone),
        student && upcoming && button("booking-reschedule", t("oh.reschedule"), () => onReschedule(booking)),
        upcoming &&
          button(
            "booking-cancel",
            t("oh.cancel"),
            async () => {
              if (!window.confirm(t("oh.cancel.confirm"))) return;
              if (await attempt(error, () => cancelBooking(booking.id))) await reload();
            },
            { class: "button danger" },
          ),
      ),
    );
  }

  function show() {
    const now = Date.now();
    const relevant = bookings.filter(
      (b) => b.course_id === courseId && (b.status === "booked" ? Date.parse(b.ends_at) >= now : Date.parse(b.starts_at) >= now),
    );
    list.replaceChildren(
      ...(relevant.length ? relevant.map(item) : [h("li", { class: "empty" }, t("oh.bookings.empty"))]),
    );
  }

  async function reload() {
    const answer = await attempt(error, () => listBookings(courseId));
    if (!answer) return;
    bookings = answer.value.items;
    show();
  }

  // The join link turns on and off with the clock; the list itself reloads now and then.
  (async () => {
    let round = 0;
    while (!signal.aborted) {
      await pause(RECHECK_MS, signal);
      if (signal.aborted) return;
      if (++round % 6 === 0) await reload();
      else show();
    }
  })();

  const element = h(
    "section",
    { class: "course-section", "data-testid": "bookings" },
    h("h2", {}, t("oh.bookings")),
    h("p", { class: "muted" }, t("course.lectures.zone", { zone: user.time_zone })),
    error,
    list,
  );
  return { element, reload };
}
