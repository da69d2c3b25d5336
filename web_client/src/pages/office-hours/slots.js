// The student's side of booking: free slots of the course's educators for the next two weeks,
// grouped by day in the student's own time zone (the server converts, daylight saving
// included). A slot is booked with one click, or chosen as the new time of a booking being
// rescheduled.

import { h } from "../../dom.js";
import { attempt, errorLine } from "../../feedback.js";
import { language, t } from "../../i18n.js";
import { formatDateTime } from "../../time.js";
import { button } from "../../ui.js";
import { book, listSlots, rescheduleBooking } from "./api.js";

const DAYS = 14;

function dayOf(iso, timeZone) {
  return new Intl.DateTimeFormat(language(), { dateStyle: "full", timeZone }).format(new Date(iso));
}

function clockOf(iso, timeZone) {
  return new Intl.DateTimeFormat(language(), { timeStyle: "short", timeZone }).format(new Date(iso));
}

export function createSlotPicker({ hosts, user, onBooked }) {
  const error = errorLine("slot-error");
  const days = h("div", { class: "lecture-groups", "data-testid": "slot-list" });
  const moving = h("p", { class: "hint", role: "status", "data-testid": "rescheduling" });
  const host = h(
    "select",
    { id: "oh-host", "data-testid": "host-select" },
    ...hosts.map((x) => h("option", { value: x.educator_id }, x.name)),
  );
  let rescheduling = null;

  function setRescheduling(booking) {
    rescheduling = booking;
    moving.replaceChildren();
    if (!booking) return;
    moving.append(
      t("oh.rescheduling", { time: formatDateTime(booking.starts_at, user.time_zone) }),
      " ",
      button("reschedule-stop", t("oh.rescheduling.stop"), () => setRescheduling(null)),
    );
    moving.scrollIntoView?.({ block: "center" });
  }

  async function choose(slot) {
    const action = rescheduling
      ? () => rescheduleBooking(rescheduling.id, slot.starts_at)
      : () => book(Number(host.value), slot.starts_at);
    if (!(await attempt(error, action))) {
      await reload();
      return;
    }
    setRescheduling(null);
    await Promise.all([reload(), onBooked()]);
  }

  function show(slots, timeZone) {
    const byDay = new Map();
    for (const slot of slots) {
      const day = dayOf(slot.local_start, timeZone);
      if (!byDay.has(day)) byDay.set(day, []);
      byDay.get(day).push(slot);
    }
    days.replaceChildren(
      ...(byDay.size
        ? [...byDay].map(([day, daySlots]) =>
            h(
              "div",
              { class: "lecture-group", "data-testid": "slot-day" },
              h("h3", {}, day),
              h(
                "div",
                { class: "tags" },
                ...daySlots.map((slot) =>
                  button("slot", clockOf(slot.local_start, timeZone), () => choose(slot), {
                    "data-starts-at": slot.starts_at,
                  }),
                ),
              ),
            ),
          )
        : [h("p", { class: "empty" }, t("oh.slots.empty"))]),
    );
  }

  async function reload() {
    if (!hosts.length) return;
    const answer = await attempt(error, () => listSlots(Number(host.value), DAYS));
    if (answer) show(answer.value.items, answer.value.time_zone);
  }
  host.addEventListener("change", reload);

  const element = h(
    "section",
    { class: "course-section", "data-testid": "slots" },
    h("h2", {}, t("oh.slots")),
    hosts.length
      ? h(
          "div",
          {},
          hosts.length > 1 && h("div", { class: "field" }, h("label", { for: "oh-host" }, t("oh.host")), host),
          h("p", { class: "muted" }, t("course.lectures.zone", { zone: user.time_zone })),
          moving,
          error,
          days,
        )
      : h("p", { class: "empty" }, t("oh.noHosts")),
  );
  return { element, reload, setRescheduling };
}
