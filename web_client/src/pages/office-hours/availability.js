// The educator's weekly availability: windows as wall-clock times in their own time zone, slot
// length, booking cutoff and blocked dates. The form is saved as a whole, as the API stores it.

import { ApiError } from "../../api.js";
import { h } from "../../dom.js";
import { attempt, errorLine } from "../../feedback.js";
import { language, t } from "../../i18n.js";
import { button, field } from "../../ui.js";
import { getAvailability, saveAvailability } from "./api.js";

const DEFAULTS = { slot_minutes: 20, cutoff_minutes: 60, windows: [], blocked_dates: [] };

// Monday is 0, as in the API; 1 January 2024 was a Monday.
function weekdayName(weekday) {
  return new Intl.DateTimeFormat(language(), { weekday: "long", timeZone: "UTC" }).format(
    Date.UTC(2024, 0, 1 + weekday),
  );
}

async function loadMine(educatorId) {
  try {
    return await getAvailability(educatorId);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

/** @typedef {{ weekday: number, start: string, end: string }} AvailabilityWindow */

// A window's row, and how to read the window it now says.
/**
 * @param {AvailabilityWindow} window
 * @param {(row: HTMLLIElement) => void} onRemove
 * @returns {{ row: HTMLLIElement, read: () => AvailabilityWindow }}
 */
function windowRow(window, onRemove) {
  const weekday = h(
    "select",
    { "data-testid": "window-weekday", "aria-label": t("oh.window.weekday") },
    ...[0, 1, 2, 3, 4, 5, 6].map((d) => h("option", { value: d }, weekdayName(d))),
  );
  weekday.value = String(window.weekday);
  // An <input type="time"> cannot say 24:00: midnight as an end means the end of the day.
  const start = h("input", { type: "time", required: true, value: window.start, "data-testid": "window-start" });
  const end = h("input", {
    type: "time",
    required: true,
    value: window.end === "24:00" ? "00:00" : window.end,
    "data-testid": "window-end",
  });
  start.setAttribute("aria-label", t("oh.window.start"));
  end.setAttribute("aria-label", t("oh.window.end"));
  const row = h(
    "li",
    { class: "inline-form", "data-testid": "window-row" },
    weekday,
    start,
    "–",
    end,
    button("window-remove", t("oh.window.remove"), () => onRemove(row)),
  );
  const read = () => ({
    weekday: Number(weekday.value),
    start: start.value,
    end: end.value === "00:00" ? "24:00" : end.value,
  });
  return { row, read };
}

export async function createAvailability({ courseId, user }) {
  const mine = await loadMine(user.id);
  const current = mine ?? { ...DEFAULTS, time_zone: user.time_zone };
  const error = errorLine("availability-error");
  const saved = h("p", { class: "muted", role: "status", "data-testid": "availability-saved" });
  const windows = h("ul", { class: "unit-list", "data-testid": "window-list" });
  const blocked = new Set(current.blocked_dates);
  const blockedList = h("ul", { class: "tags", "data-testid": "blocked-list" });

  // Rows in the list's order (added only at its end): each one's reader.
  /** @type {Map<HTMLLIElement, () => AvailabilityWindow>} */
  const rows = new Map();
  /** @param {HTMLLIElement} row */
  const removeRow = (row) => {
    rows.delete(row);
    row.remove();
  };
  /** @param {AvailabilityWindow} w */
  const addWindow = (w) => {
    const { row, read } = windowRow(w, removeRow);
    rows.set(row, read);
    windows.append(row);
  };
  current.windows.forEach(addWindow);

  function showBlocked() {
    blockedList.replaceChildren(
      ...[...blocked].sort().map((day) =>
        h(
          "li",
          { class: "badge" },
          h("bdi", {}, day),
          " ",
          button("blocked-remove", "×", () => {
            blocked.delete(day);
            showBlocked();
          }, { "aria-label": t("oh.blocked.remove", { day }), class: "link-button" }),
        ),
      ),
    );
  }
  showBlocked();

  const zones = h("datalist", { id: "oh-zones" }, ...Intl.supportedValuesOf("timeZone").map((z) => h("option", { value: z })));
  const zone = h("input", { id: "oh-zone", list: "oh-zones", required: true, value: current.time_zone, dir: "ltr" });
  const slot = h("input", { id: "oh-slot", type: "number", min: 5, max: 240, step: 5, required: true, value: current.slot_minutes });
  const cutoff = h("input", { id: "oh-cutoff", type: "number", min: 0, max: 10080, step: 5, required: true, value: current.cutoff_minutes });
  const blockDay = h("input", { id: "oh-block", type: "date" });
  const submit = h("button", { type: "submit", class: "button primary", "data-testid": "availability-save" }, t("oh.save"));

  const form = h(
    "form",
    { class: "card", "data-testid": "availability-form" },
    h("h3", {}, t("oh.availability")),
    mine && mine.course_id !== courseId && h("p", { class: "hint" }, t("oh.otherCourse")),
    field("oh-zone", t("oh.zone"), zone),
    zones,
    field("oh-slot", t("oh.slotMinutes"), slot),
    field("oh-cutoff", t("oh.cutoffMinutes"), cutoff),
    h("h4", {}, t("oh.windows")),
    windows,
    button("window-add", t("oh.window.add"), () => addWindow({ weekday: 0, start: "09:00", end: "11:00" })),
    h("h4", {}, t("oh.blocked")),
    blockedList,
    h(
      "div",
      { class: "inline-form" },
      field("oh-block", t("oh.blocked.day"), blockDay),
      button("blocked-add", t("oh.blocked.add"), () => {
        if (blockDay.value) blocked.add(blockDay.value);
        blockDay.value = "";
        showBlocked();
      }),
    ),
    error,
    saved,
    h("div", { class: "form-actions" }, submit),
  );

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    saved.textContent = "";
    const availability = {
      course_id: courseId,
      time_zone: zone.value.trim(),
      slot_minutes: Number(slot.value),
      cutoff_minutes: Number(cutoff.value),
      windows: [...rows.values()].map((read) => read()),
      blocked_dates: [...blocked].sort(),
    };
    submit.disabled = true;
    const answer = await attempt(error, () => saveAvailability(availability));
    submit.disabled = false;
    if (answer) saved.textContent = t("oh.saved");
  });
  return form;
}
